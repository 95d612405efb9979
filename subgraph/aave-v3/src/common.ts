// Aave v3 -> svr's common schema: entities shared by the Pool, PoolConfigurator and Chainlink
// handlers. The rules are stated with their sources in docs/methodology.md ("Aave v3").
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum, log, ValueKind } from '@graphprotocol/graph-ts';
import {
  Account,
  CollateralBalance,
  LendingBalance,
  LendingReserve,
  Market,
  MarketDailySnapshot,
  MarketHourlySnapshot,
  Protocol,
  ProtocolDailySnapshot,
  ProtocolHourlySnapshot,
  Token,
} from '../generated/schema';
import { dayIndex, hourIndex, tenPow } from '../../common/units';
import { followFeed } from '../../common/chainlink';
import { knownToken, poolAddress } from './tokens';

export const PROTOCOL_ID = 'aave-v3';
const SOURCE_STABLECOIN_DEFAULT = 'STABLECOIN_DEFAULT';

// ---------------------------------------------------------------- Aave's ray math (WadRayMath)

export const RAY = BigInt.fromString('1000000000000000000000000000');
const HALF_RAY = BigInt.fromString('500000000000000000000000000');

/** a x b / RAY, rounded half up (WadRayMath.rayMul). */
export function rayMul(a: BigInt, b: BigInt): BigInt {
  return a.times(b).plus(HALF_RAY).div(RAY);
}

/** a x RAY / b, rounded half up (WadRayMath.rayDiv). */
export function rayDiv(a: BigInt, b: BigInt): BigInt {
  return a.times(RAY).plus(b.div(BigInt.fromI32(2))).div(b);
}

// ---------------------------------------------------------------- protocol, tokens, markets

export function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    protocol.name = 'Aave v3';
    protocol.slug = PROTOCOL_ID;
    protocol.network = dataSource.network();
    protocol.type = 'LENDING';
    protocol.collateralModel = 'OVERCOLLATERALIZED_LENDING';
    // The Pool, also when the PoolConfigurator's event comes first.
    protocol.contract = Address.fromString(poolAddress(dataSource.network()));
    protocol.totalValueLockedUSD = BigDecimal.zero();
    protocol.priced = true;
    protocol.unpricedTokens = new Array<Bytes>();
    protocol.collateralBalanceIds = new Array<Bytes>();
    protocol.longOpenInterestUSD = BigDecimal.zero();
    protocol.shortOpenInterestUSD = BigDecimal.zero();
    protocol.totalOpenInterestUSD = BigDecimal.zero();
    protocol.totalBorrowBalanceUSD = BigDecimal.zero();
    protocol.totalDepositBalanceUSD = BigDecimal.zero();
    protocol.realisedBadDebtUSD = BigDecimal.zero();
    protocol.marketCount = 0;
    protocol.openPositionCount = 0;
    protocol.cumulativePositionCount = 0;
    protocol.cumulativeLiquidationCount = 0;
    protocol.cumulativeUniqueUsers = 0;
    protocol.lastUpdateBlockNumber = event.block.number;
    protocol.lastUpdateTimestamp = event.block.timestamp;
  }
  return protocol;
}

/** Saves the protocol and writes its hourly and daily snapshots. */
export function saveProtocol(protocol: Protocol, event: ethereum.Event): void {
  protocol.lastUpdateBlockNumber = event.block.number;
  protocol.lastUpdateTimestamp = event.block.timestamp;
  protocol.save();

  let day = dayIndex(event.block.timestamp);
  let daily = new ProtocolDailySnapshot(PROTOCOL_ID + '-' + day.toString());
  daily.protocol = protocol.id;
  daily.day = day;
  daily.totalValueLockedUSD = protocol.totalValueLockedUSD;
  daily.priced = protocol.priced;
  daily.longOpenInterestUSD = protocol.longOpenInterestUSD;
  daily.shortOpenInterestUSD = protocol.shortOpenInterestUSD;
  daily.totalOpenInterestUSD = protocol.totalOpenInterestUSD;
  daily.totalBorrowBalanceUSD = protocol.totalBorrowBalanceUSD;
  daily.totalDepositBalanceUSD = protocol.totalDepositBalanceUSD;
  daily.openPositionCount = protocol.openPositionCount;
  daily.cumulativePositionCount = protocol.cumulativePositionCount;
  daily.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount;
  daily.blockNumber = event.block.number;
  daily.timestamp = event.block.timestamp;
  daily.save();

  let hour = hourIndex(event.block.timestamp);
  let hourly = new ProtocolHourlySnapshot(PROTOCOL_ID + '-' + hour.toString());
  hourly.protocol = protocol.id;
  hourly.hour = hour;
  hourly.totalValueLockedUSD = protocol.totalValueLockedUSD;
  hourly.priced = protocol.priced;
  hourly.longOpenInterestUSD = protocol.longOpenInterestUSD;
  hourly.shortOpenInterestUSD = protocol.shortOpenInterestUSD;
  hourly.totalOpenInterestUSD = protocol.totalOpenInterestUSD;
  hourly.totalBorrowBalanceUSD = protocol.totalBorrowBalanceUSD;
  hourly.totalDepositBalanceUSD = protocol.totalDepositBalanceUSD;
  hourly.openPositionCount = protocol.openPositionCount;
  hourly.cumulativePositionCount = protocol.cumulativePositionCount;
  hourly.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount;
  hourly.blockNumber = event.block.number;
  hourly.timestamp = event.block.timestamp;
  hourly.save();
}

export function getToken(address: Address, event: ethereum.Event): Token {
  let token = Token.load(address);
  if (token == null) {
    token = new Token(address);
    let network = dataSource.network();
    let info = knownToken(network, address.toHexString());
    if (info != null) {
      token.symbol = info.symbol;
      token.decimals = info.decimals;
      token.isStablecoin = info.stablecoin;
    } else {
      log.warning('aave-v3: reserve {} is not in the token table: its decimals are unknown and its amounts unpriced', [address.toHexString()]);
      token.symbol = address.toHexString();
      token.isStablecoin = false;
    }
    if (token.isStablecoin) {
      token.lastPriceUSD = BigDecimal.fromString('1');
      token.lastPriceSource = SOURCE_STABLECOIN_DEFAULT;
      token.lastPriceBlockNumber = event.block.number;
      token.lastPriceTimestamp = event.block.timestamp;
    }
    token.save();
    followFeed(address, event);
  }
  return token;
}

/** The reserve's Market (id: the underlying token), with its LendingReserve and CollateralBalance. */
export function getMarket(tokenAddress: Address, event: ethereum.Event, protocol: Protocol): Market {
  let market = Market.load(tokenAddress);
  if (market == null) {
    let token = getToken(tokenAddress, event);
    market = new Market(tokenAddress);
    market.protocol = protocol.id;
    market.name = token.symbol;
    market.indexToken = token.id;
    market.inputTokens = [token.id];
    market.totalValueLockedUSD = BigDecimal.zero();
    market.priced = true;
    market.longOpenInterestUSD = BigDecimal.zero();
    market.shortOpenInterestUSD = BigDecimal.zero();
    market.totalOpenInterestUSD = BigDecimal.zero();
    market.openPositionCount = 0;
    market.longPositionCount = 0;
    market.shortPositionCount = 0;
    market.cumulativePositionCount = 0;
    market.cumulativeLiquidationCount = 0;
    market.totalDepositBalance = BigInt.zero();
    market.totalBorrowBalance = BigInt.zero();
    market.totalDepositBalanceUSD = BigDecimal.zero();
    market.totalBorrowBalanceUSD = BigDecimal.zero();
    market.realisedBadDebtUSD = BigDecimal.zero();
    market.createdBlockNumber = event.block.number;
    market.createdTimestamp = event.block.timestamp;
    market.lastUpdateBlockNumber = event.block.number;
    market.lastUpdateTimestamp = event.block.timestamp;
    market.save();
    protocol.marketCount = protocol.marketCount + 1;

    let reserve = new LendingReserve(tokenAddress);
    reserve.protocol = protocol.id;
    reserve.market = market.id;
    // Aave initialises both indexes to one ray (ReserveLogic.init).
    reserve.liquidityIndex = RAY;
    reserve.variableBorrowIndex = RAY;
    reserve.liquidityRate = BigInt.zero();
    reserve.variableBorrowRate = BigInt.zero();
    reserve.stableBorrowRate = BigInt.zero();
    reserve.scaledTotalSupply = BigInt.zero();
    reserve.scaledTotalCollateral = BigInt.zero();
    reserve.scaledTotalVariableDebt = BigInt.zero();
    reserve.totalStableDebt = BigInt.zero();
    reserve.deficit = BigInt.zero();
    reserve.deficitUSD = BigDecimal.zero();
    reserve.lastUpdateBlockNumber = event.block.number;
    reserve.lastUpdateTimestamp = event.block.timestamp;
    reserve.save();

    let balance = new CollateralBalance(tokenAddress);
    balance.protocol = protocol.id;
    balance.token = token.id;
    balance.amount = BigInt.zero();
    balance.reservedAmount = BigInt.zero();
    balance.guaranteedUSD = BigDecimal.zero();
    balance.amountUSD = BigDecimal.zero();
    balance.priced = true;
    balance.lastUpdateBlockNumber = event.block.number;
    balance.lastUpdateTimestamp = event.block.timestamp;
    balance.save();
    let ids = protocol.collateralBalanceIds;
    ids.push(balance.id);
    protocol.collateralBalanceIds = ids;
  }
  return market;
}

/** Saves the market and writes its hourly and daily snapshots. */
export function saveMarket(market: Market, event: ethereum.Event): void {
  market.lastUpdateBlockNumber = event.block.number;
  market.lastUpdateTimestamp = event.block.timestamp;
  market.save();
  let prefix = market.id.toHexString() + '-';

  let day = dayIndex(event.block.timestamp);
  let daily = new MarketDailySnapshot(prefix + day.toString());
  daily.market = market.id;
  daily.protocol = market.protocol;
  daily.day = day;
  daily.totalValueLockedUSD = market.totalValueLockedUSD;
  daily.longOpenInterestUSD = market.longOpenInterestUSD;
  daily.shortOpenInterestUSD = market.shortOpenInterestUSD;
  daily.totalOpenInterestUSD = market.totalOpenInterestUSD;
  daily.openPositionCount = market.openPositionCount;
  daily.cumulativeLiquidationCount = market.cumulativeLiquidationCount;
  daily.blockNumber = event.block.number;
  daily.timestamp = event.block.timestamp;
  daily.save();

  let hour = hourIndex(event.block.timestamp);
  let hourly = new MarketHourlySnapshot(prefix + hour.toString());
  hourly.market = market.id;
  hourly.protocol = market.protocol;
  hourly.hour = hour;
  hourly.totalValueLockedUSD = market.totalValueLockedUSD;
  hourly.longOpenInterestUSD = market.longOpenInterestUSD;
  hourly.shortOpenInterestUSD = market.shortOpenInterestUSD;
  hourly.totalOpenInterestUSD = market.totalOpenInterestUSD;
  hourly.openPositionCount = market.openPositionCount;
  hourly.cumulativeLiquidationCount = market.cumulativeLiquidationCount;
  hourly.blockNumber = event.block.number;
  hourly.timestamp = event.block.timestamp;
  hourly.save();
}

export function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  let account = Account.load(address);
  if (account == null) {
    account = new Account(address);
    account.openPositionCount = 0;
    account.closedPositionCount = 0;
    account.cumulativePositionCount = 0;
    account.liquidationCount = 0;
    account.firstSeenBlockNumber = event.block.number;
    account.save();
    protocol.cumulativeUniqueUsers = protocol.cumulativeUniqueUsers + 1;
  }
  return account;
}

export function getBalance(reserve: Address, user: Address, event: ethereum.Event, protocol: Protocol): LendingBalance {
  let id = reserve.concat(user);
  let balance = LendingBalance.load(id);
  if (balance == null) {
    getAccount(user, event, protocol);
    balance = new LendingBalance(id);
    balance.protocol = protocol.id;
    balance.market = reserve;
    balance.account = user;
    balance.token = reserve;
    balance.scaledSupply = BigInt.zero();
    balance.scaledVariableDebt = BigInt.zero();
    balance.stableDebt = BigInt.zero();
    balance.usedAsCollateral = false;
    balance.supplyBalance = BigInt.zero();
    balance.debtBalance = BigInt.zero();
  }
  return balance;
}

// ---------------------------------------------------------------- prices and valuation

/** The token amount's USD value, or null when the token has no price or unknown decimals. */
export function amountUSD(token: Token, amount: BigInt): BigDecimal | null {
  let price = token.lastPriceUSD;
  // `decimals` is nullable: the generated getter reads null as 0, so look at the stored value.
  let decimals = token.get('decimals');
  if (price === null || decimals === null || decimals.kind == ValueKind.NULL) return null;
  return amount.toBigDecimal().div(tenPow(decimals.toI32())).times(price);
}

/**
 * Recomputes the reserve's totals in token units from its scaled totals and latest indexes,
 * values them and its deficit at the token's last price, and stores them on its Market,
 * CollateralBalance and LendingReserve.
 */
export function revalueReserve(reserveAddress: Bytes, event: ethereum.Event): void {
  let reserve = LendingReserve.load(reserveAddress)!;
  let market = Market.load(reserveAddress)!;
  let token = Token.load(reserveAddress)!;
  let balance = CollateralBalance.load(reserveAddress)!;
  let deposit = rayMul(reserve.scaledTotalSupply, reserve.liquidityIndex);
  let collateral = rayMul(reserve.scaledTotalCollateral, reserve.liquidityIndex);
  let debt = rayMul(reserve.scaledTotalVariableDebt, reserve.variableBorrowIndex).plus(reserve.totalStableDebt);
  market.totalDepositBalance = deposit;
  market.totalBorrowBalance = debt;
  balance.amount = collateral;
  let depositUSD = amountUSD(token, deposit);
  let debtUSD = amountUSD(token, debt);
  let collateralUSD = amountUSD(token, collateral);
  let deficitUSD = amountUSD(token, reserve.deficit);
  if (depositUSD === null || debtUSD === null || collateralUSD === null || deficitUSD === null) {
    market.totalDepositBalanceUSD = BigDecimal.zero();
    market.totalBorrowBalanceUSD = BigDecimal.zero();
    market.totalValueLockedUSD = BigDecimal.zero();
    market.realisedBadDebtUSD = BigDecimal.zero();
    reserve.deficitUSD = BigDecimal.zero();
    balance.amountUSD = BigDecimal.zero();
    // Unpriced only matters where there is something to value.
    market.priced = deposit.isZero() && debt.isZero() && reserve.deficit.isZero();
    balance.priced = collateral.isZero();
  } else {
    market.totalDepositBalanceUSD = depositUSD;
    market.totalBorrowBalanceUSD = debtUSD;
    market.totalValueLockedUSD = collateralUSD;
    market.realisedBadDebtUSD = deficitUSD;
    reserve.deficitUSD = deficitUSD;
    balance.amountUSD = collateralUSD;
    market.priced = true;
    balance.priced = true;
  }
  reserve.save();
  balance.lastUpdateBlockNumber = event.block.number;
  balance.lastUpdateTimestamp = event.block.timestamp;
  balance.save();
  saveMarket(market, event);
}

/**
 * Protocol totals: collateral locked (totalValueLockedUSD), deposits and debt (exposure), and the
 * booked bad debt (realisedBadDebtUSD), summed over reserves. A reserve with a non-zero balance
 * and no price is left out of every sum and named in `unpricedTokens`.
 */
export function recomputeProtocol(protocol: Protocol): void {
  let collateral = BigDecimal.zero();
  let deposits = BigDecimal.zero();
  let debt = BigDecimal.zero();
  let badDebt = BigDecimal.zero();
  let unpriced: Bytes[] = [];
  let ids = protocol.collateralBalanceIds;
  for (let i = 0; i < ids.length; i++) {
    let market = Market.load(ids[i]);
    let balance = CollateralBalance.load(ids[i]);
    if (market == null || balance == null) continue;
    if (market.priced && balance.priced) {
      collateral = collateral.plus(market.totalValueLockedUSD);
      deposits = deposits.plus(market.totalDepositBalanceUSD!);
      debt = debt.plus(market.totalBorrowBalanceUSD!);
      badDebt = badDebt.plus(market.realisedBadDebtUSD!);
    } else {
      unpriced.push(ids[i]);
    }
  }
  protocol.totalValueLockedUSD = collateral;
  protocol.totalDepositBalanceUSD = deposits;
  protocol.totalBorrowBalanceUSD = debt;
  protocol.realisedBadDebtUSD = badDebt;
  protocol.unpricedTokens = unpriced;
  protocol.priced = unpriced.length == 0;
}
