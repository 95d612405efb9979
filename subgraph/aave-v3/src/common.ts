// Aave v3 -> svr's common schema: entities shared by the Pool, PoolConfigurator and Chainlink
// handlers. The rules are stated with their sources in docs/methodology.md ("Aave v3").
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum, ValueKind } from '@graphprotocol/graph-ts';
import {
  Account,
  CollateralBalance,
  LendingBalance,
  LendingReserve,
  Market,
  Protocol,
  Token,
} from '../generated/schema';
import { tenPow } from '../../common/units';
import { saveMarket } from '../../common/snapshots';
import { LIVE, setVenueStatus } from '../../common/status';
import { initProtocol } from '../../common/protocol';
import { getOrCreateAccount } from '../../common/account-entity';
import { getOrCreateToken } from '../../common/token-entity';

export const PROTOCOL_ID = 'aave-v3';
/** Aave v3 is Aave's current version, deployed and maintained on every network indexed here. */
const STATUS_SOURCE = 'bgd-labs/aave-address-book (the Aave v3 Pool of each network, as maintained by Aave governance)';

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

/** The Pool of each network, lower case, as ../../networks.json (sources: ../README.md): mainnet, arbitrum-one, optimism and avalanche from ../shared/reference/protocols.md; matic (the same 0x794a... Pool), base, bsc, gnosis and scroll from bgd-labs/aave-address-book. */
export function poolAddress(network: string): string {
  if (network == 'mainnet') return '0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2';
  if (network == 'base') return '0xa238dd80c259a72e81d7e4664a9801593f98d1c5';
  if (network == 'bsc') return '0x6807dc923806fe8fd134338eabca509979a7e0cb';
  if (network == 'gnosis') return '0xb50201558b00496a145fe76f7424749556e326d8';
  if (network == 'scroll') return '0x11fcfe756c05ad438e312a7fd934381537d3cffe';
  return '0x794a61358d6845594f94dc1db02a252b5b4814ad';
}

export function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    // The contract: the Pool, also when the PoolConfigurator's event comes first.
    initProtocol(protocol, 'Aave v3', 'LENDING', 'OVERCOLLATERALIZED_LENDING', Address.fromString(poolAddress(dataSource.network())), event);
    setVenueStatus(protocol, LIVE, 0, STATUS_SOURCE);
    protocol.realisedBadDebtUSD = BigDecimal.zero();
  }
  return protocol;
}

export function getToken(address: Address, event: ethereum.Event): Token {
  return changetype<Token>(getOrCreateToken(address, event, PROTOCOL_ID));
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

export function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  return changetype<Account>(getOrCreateAccount(address, event, protocol));
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
