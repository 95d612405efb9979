// GMX v2 (GMX Synthetics) EventEmitter -> svr's common schema, collateral model MARKET_POOL:
// every market has its own pool (its long and short tokens), which is the counterparty of that
// market's positions only. The rules and their sources are in ../README.md and
// docs/methodology.md ("GMX v2").
//
// Every event arrives as EventLog1 with its name in `eventName` and its fields in an
// EventLogData read by key (./event-data.ts). Event names and keys: gmx-io/gmx-synthetics
// contracts/market/MarketFactory.sol (MarketCreated), contracts/market/MarketEventUtils.sol
// (PoolAmountUpdated, OpenInterestUpdated, OpenInterestInTokensUpdated),
// contracts/position/PositionEventUtils.sol (PositionIncrease, PositionDecrease),
// contracts/oracle/Oracle.sol (OraclePriceUpdate), contracts/config/Config.sol (SetUint).
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum, log, ValueKind } from '@graphprotocol/graph-ts';
import { EventLog1 } from '../generated/gmx-v2/EventEmitter';
import { Account, CollateralBalance, Liquidation, Market, MarketOpenInterest, OraclePrice, Position, Protocol, Token } from '../generated/schema';
import { fixedToDecimal, tenPow } from '../../common/units';
import { EventData } from './event-data';
import { knownToken } from '../../common/tokens';
import { saveMarket as writeMarket, saveProtocol as writeProtocol } from '../../common/snapshots';
import { LIVE, setVenueStatus } from '../../common/status';
import { initProtocol } from '../../common/protocol';
import { getOrCreateAccount } from '../../common/account-entity';

const PROTOCOL_ID = 'gmx-v2';
/** GMX v2 USD amounts, prices per token unit and factors are fixed point with 30 decimals (Precision.FLOAT_PRECISION). */
const USD_DECIMALS: i32 = 30;
/** Order.OrderType.Liquidation (contracts/order/Order.sol: MarketSwap 0 ... Liquidation 7). */
const ORDER_TYPE_LIQUIDATION: i32 = 7;

// Stated defaults where no SetUint has been indexed for a market: gmx-io/gmx-synthetics
// config/markets.ts `baseMarketConfig` (commit a5c0c8835182cbd84e47dca04b971239311d2f1d):
// reserveFactor percentageToFloat("95%"), maxPnlFactorForTraders percentageToFloat("90%").
// Many markets override them (the same file); SetUint events, where indexed, replace them.
const DEFAULT_RESERVE_FACTOR = '0.95';
const DEFAULT_MAX_PNL_FACTOR = '0.9';

// Keys.sol base keys, keccak256(abi.encode("<NAME>")) (checked in test/subgraph/gmx-v2.test.ts).
const RESERVE_FACTOR = '0xeb6dbcc031d84cf5bcdec21aafd7b4ea59618b0863960405767329a7ad41889a';
const MAX_PNL_FACTOR = '0xd71a84af4a71a03c3fefcc9b7409cf8ddf5087c8ae89bfa83fc0daa003cd5bdd';
const MAX_PNL_FACTOR_FOR_TRADERS = '0xab15365d3aa743e766355e2557c230d8f943e195dc84d9b2b05928a07b635ee1';

const SOURCE_ORACLE_EVENT = 'ORACLE_EVENT';
const SOURCE_STABLECOIN_DEFAULT = 'STABLECOIN_DEFAULT';

function usd(value: BigInt): BigDecimal {
  return fixedToDecimal(value, USD_DECIMALS);
}

function sideOf(isLong: boolean): string {
  return isLong ? 'LONG' : 'SHORT';
}

export function handleEventLog1(event: EventLog1): void {
  let name = event.params.eventName;
  let data = new EventData(event.params.eventData);
  if (name == 'MarketCreated') onMarketCreated(data, event);
  else if (name == 'PoolAmountUpdated') onPoolAmountUpdated(data, event);
  else if (name == 'OpenInterestUpdated') onOpenInterest(data, event, false);
  else if (name == 'OpenInterestInTokensUpdated') onOpenInterest(data, event, true);
  else if (name == 'PositionIncrease') onPosition(data, event, true);
  else if (name == 'PositionDecrease') onPosition(data, event, false);
  else if (name == 'OraclePriceUpdate') onOraclePriceUpdate(data, event);
  else if (name == 'SetUint') onSetUint(data, event);
}

/** A required item that is missing: the event is not the shape this mapping reads. */
function missing(name: string, key: string, event: ethereum.Event): void {
  log.warning('gmx-v2: {} in tx {} (log {}) has no item "{}": skipped', [name, event.transaction.hash.toHexString(), event.logIndex.toString(), key]);
}

// ---------------------------------------------------------------- protocol, tokens, markets

function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    initProtocol(protocol, 'GMX v2', 'PERPETUAL', 'MARKET_POOL', dataSource.address(), event);
    // Live: no event states it; GMX's own deployment list is current and keepers execute orders (real
    // Arbitrum orders of 2026-07-26 in ../shared/fixtures/real-logs-gmx-v2).
    setVenueStatus(protocol, LIVE, 0, 'gmx-io/gmx-synthetics deployments/arbitrum and deployments/avalanche (the live contracts); keeper-executed orders on Arbitrum One, 2026-07-26 (tx 0xffae75a8fa92bc1f8b27b7892dfa99751ce34b737fdc13ca26e3cb1bd31d85c1)');
  }
  return protocol;
}

/** Saves the protocol and writes its snapshots (subgraph/common/snapshots.ts, the one writer). */
function saveProtocol(protocol: Protocol, event: ethereum.Event): void {
  writeProtocol(protocol, event);
}

/** Saves the market and writes its snapshots (the one writer). */
function saveMarket(market: Market, event: ethereum.Event): void {
  writeMarket(market, event);
}

function getToken(address: Address, event: ethereum.Event): Token {
  let token = Token.load(address);
  if (token == null) {
    token = new Token(address);
    let info = knownToken(dataSource.network(), address.toHexString());
    if (info != null) {
      token.symbol = info.symbol;
      token.decimals = <i32>info.decimals;
      token.isStablecoin = info.stablecoin;
    } else {
      // Amounts stay priced through GMX's per-unit prices; only the per-token USD price needs decimals.
      log.info('gmx-v2: token {} is not in the token table: its decimals are unknown', [address.toHexString()]);
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
  }
  return token;
}

/** The token's decimals, or -1 when unknown (the generated getter reads a stored null as 0). */
function decimalsOf(token: Token): i32 {
  let d = token.get('decimals');
  if (d === null || d.kind == ValueKind.NULL) return -1;
  return d.toI32();
}

function getMarket(address: Address, event: ethereum.Event, protocol: Protocol): Market {
  let market = Market.load(address);
  if (market == null) {
    market = new Market(address);
    market.protocol = protocol.id;
    // Named once MarketCreated is seen; a market created before the start block keeps its address.
    market.name = address.toHexString();
    market.inputTokens = new Array<Bytes>();
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
    market.reserveFactorLong = BigDecimal.fromString(DEFAULT_RESERVE_FACTOR);
    market.reserveFactorShort = BigDecimal.fromString(DEFAULT_RESERVE_FACTOR);
    market.reserveFactorSource = 'DEFAULT';
    market.maxPnlFactorLong = BigDecimal.fromString(DEFAULT_MAX_PNL_FACTOR);
    market.maxPnlFactorShort = BigDecimal.fromString(DEFAULT_MAX_PNL_FACTOR);
    market.maxPnlFactorSource = 'DEFAULT';
    market.createdBlockNumber = event.block.number;
    market.createdTimestamp = event.block.timestamp;
    market.lastUpdateBlockNumber = event.block.number;
    market.lastUpdateTimestamp = event.block.timestamp;
    protocol.marketCount = protocol.marketCount + 1;
  }
  return market;
}

/** Markets created before the start block learn their tokens from the events that name them. */
function addInputToken(market: Market, token: Bytes): void {
  let tokens = market.inputTokens;
  for (let i = 0; i < tokens.length; i++) if (tokens[i].equals(token)) return;
  tokens.push(token);
  market.inputTokens = tokens;
}

function onMarketCreated(data: EventData, event: ethereum.Event): void {
  let marketToken = data.address('marketToken');
  let indexAddress = data.address('indexToken');
  let longAddress = data.address('longToken');
  let shortAddress = data.address('shortToken');
  if (marketToken === null || indexAddress === null || longAddress === null || shortAddress === null) return missing('MarketCreated', 'marketToken/indexToken/longToken/shortToken', event);
  let protocol = getProtocol(event);
  let market = getMarket(marketToken, event, protocol);
  let index = getToken(indexAddress, event);
  let long = getToken(longAddress, event);
  let short = getToken(shortAddress, event);
  // GMX's own naming: index/USD [long-short]; a swap-only market (index token zero) is named by its pool.
  let pool = '[' + long.symbol + '-' + short.symbol + ']';
  market.name = indexAddress.equals(Address.zero()) ? 'SWAP-ONLY ' + pool : index.symbol + '/USD ' + pool;
  if (!indexAddress.equals(Address.zero())) market.indexToken = index.id;
  let tokens = new Array<Bytes>();
  tokens.push(long.id);
  if (!short.id.equals(long.id)) tokens.push(short.id);
  let known = market.inputTokens;
  for (let i = 0; i < known.length; i++) if (!known[i].equals(long.id) && !known[i].equals(short.id)) tokens.push(known[i]);
  market.inputTokens = tokens;
  market.createdBlockNumber = event.block.number;
  market.createdTimestamp = event.block.timestamp;
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

// ---------------------------------------------------------------- prices and pools

function getOraclePrice(token: Token, event: ethereum.Event): OraclePrice {
  let price = OraclePrice.load(token.id);
  if (price == null) {
    price = new OraclePrice(token.id);
    price.token = token.id;
    price.collateralBalanceIds = new Array<Bytes>();
    price.lastUpdateBlockNumber = event.block.number;
    price.lastUpdateTimestamp = event.block.timestamp;
  }
  return price;
}

function balanceId(market: Bytes, token: Bytes): Bytes {
  return market.concat(token);
}

function getCollateralBalance(market: Market, token: Token, event: ethereum.Event, protocol: Protocol): CollateralBalance {
  let id = balanceId(market.id, token.id);
  let balance = CollateralBalance.load(id);
  if (balance == null) {
    balance = new CollateralBalance(id);
    balance.protocol = protocol.id;
    balance.market = market.id;
    balance.token = token.id;
    balance.amount = BigInt.zero();
    // GMX v1 fields: v2 reserves through the reserve factor, not per-token amounts.
    balance.reservedAmount = BigInt.zero();
    balance.guaranteedUSD = BigDecimal.zero();
    balance.amountUSD = BigDecimal.zero();
    balance.priced = true;
    let ids = protocol.collateralBalanceIds;
    ids.push(id);
    protocol.collateralBalanceIds = ids;
    let price = getOraclePrice(token, event);
    let byToken = price.collateralBalanceIds;
    byToken.push(id);
    price.collateralBalanceIds = byToken;
    price.save();
  }
  balance.lastUpdateBlockNumber = event.block.number;
  balance.lastUpdateTimestamp = event.block.timestamp;
  return balance;
}

/**
 * A pool amount's value: amount x the token's last OraclePriceUpdate minPrice / 10^30 (the price
 * GMX values a pool at for withdrawals, MarketUtils.getPoolValueInfo with maximize = false); a
 * stablecoin with no oracle price yet at 1.00; otherwise unpriced.
 */
function revalue(balance: CollateralBalance, token: Token): void {
  let price = OraclePrice.load(token.id);
  let minPrice: BigInt | null = price === null ? null : price.minPrice;
  let decimals = decimalsOf(token);
  if (minPrice !== null) {
    balance.amountUSD = usd(balance.amount.times(minPrice));
    balance.priced = true;
  } else if (token.isStablecoin && decimals >= 0) {
    balance.amountUSD = balance.amount.toBigDecimal().div(tenPow(decimals));
    balance.priced = true;
  } else {
    balance.amountUSD = BigDecimal.zero();
    balance.priced = false;
  }
}

/** A market's collateral: the value of its own pool (every balance in it, long and short token). */
function recomputeMarketCollateral(market: Market): void {
  let total = BigDecimal.zero();
  let priced = true;
  let tokens = market.inputTokens;
  for (let i = 0; i < tokens.length; i++) {
    let balance = CollateralBalance.load(balanceId(market.id, tokens[i]));
    if (balance == null || balance.amount.isZero()) continue;
    if (balance.priced) total = total.plus(balance.amountUSD);
    else priced = false;
  }
  market.totalValueLockedUSD = total;
  market.priced = priced;
}

/** The protocol's collateral: every market pool, each token with a balance and no price named. */
function recomputeProtocolCollateral(protocol: Protocol): void {
  let total = BigDecimal.zero();
  let unpriced: Bytes[] = [];
  let ids = protocol.collateralBalanceIds;
  for (let i = 0; i < ids.length; i++) {
    let balance = CollateralBalance.load(ids[i]);
    if (balance == null || balance.amount.isZero()) continue;
    if (balance.priced) total = total.plus(balance.amountUSD);
    else {
      let seen = false;
      for (let k = 0; k < unpriced.length; k++) if (unpriced[k].equals(balance.token)) seen = true;
      if (!seen) unpriced.push(balance.token);
    }
  }
  protocol.totalValueLockedUSD = total;
  protocol.unpricedTokens = unpriced;
  protocol.priced = unpriced.length == 0;
}

function onPoolAmountUpdated(data: EventData, event: ethereum.Event): void {
  let marketAddress = data.address('market');
  let tokenAddress = data.address('token');
  let nextValue = data.uint('nextValue');
  if (marketAddress === null || tokenAddress === null || nextValue === null) return missing('PoolAmountUpdated', 'market/token/nextValue', event);
  let protocol = getProtocol(event);
  let market = getMarket(marketAddress, event, protocol);
  let token = getToken(tokenAddress, event);
  addInputToken(market, token.id);
  let balance = getCollateralBalance(market, token, event, protocol);
  // nextValue is the pool amount after the change: exact from the first event on, whatever came before.
  balance.amount = nextValue;
  revalue(balance, token);
  balance.save();
  recomputeMarketCollateral(market);
  recomputeProtocolCollateral(protocol);
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

function onOraclePriceUpdate(data: EventData, event: ethereum.Event): void {
  let tokenAddress = data.address('token');
  let minPrice = data.uint('minPrice');
  let maxPrice = data.uint('maxPrice');
  if (tokenAddress === null || minPrice === null || maxPrice === null) return missing('OraclePriceUpdate', 'token/minPrice/maxPrice', event);
  let protocol = getProtocol(event);
  let token = getToken(tokenAddress, event);
  let price = getOraclePrice(token, event);
  price.minPrice = minPrice;
  price.maxPrice = maxPrice;
  price.oracleTimestamp = data.uint('timestamp');
  price.provider = data.address('provider');
  price.lastUpdateBlockNumber = event.block.number;
  price.lastUpdateTimestamp = event.block.timestamp;
  price.save();

  let decimals = decimalsOf(token);
  if (decimals >= 0) {
    // USD per whole token = mid price x 10^decimals / 10^30.
    token.lastPriceUSD = usd(minPrice.plus(maxPrice)).times(tenPow(decimals)).div(BigDecimal.fromString('2'));
    token.lastPriceSource = SOURCE_ORACLE_EVENT;
    token.lastPriceBlockNumber = event.block.number;
    token.lastPriceTimestamp = event.block.timestamp;
    token.save();
  }

  let ids = price.collateralBalanceIds;
  if (ids.length == 0) return;
  for (let i = 0; i < ids.length; i++) {
    let balance = CollateralBalance.load(ids[i])!;
    revalue(balance, token);
    balance.save();
    let market = Market.load(balance.market!)!;
    recomputeMarketCollateral(market);
    saveMarket(market, event);
  }
  recomputeProtocolCollateral(protocol);
  saveProtocol(protocol, event);
}

// ---------------------------------------------------------------- open interest

function openInterestId(market: Bytes, collateralToken: Bytes, isLong: boolean): Bytes {
  let side = new Bytes(1);
  side[0] = isLong ? 1 : 0;
  return market.concat(collateralToken).concat(side);
}

/** Sum over the market's collateral tokens of one side's open interest, USD x 10^30. */
function sideOpenInterest(market: Market, isLong: boolean): BigInt {
  let total = BigInt.zero();
  let tokens = market.inputTokens;
  for (let i = 0; i < tokens.length; i++) {
    let oi = MarketOpenInterest.load(openInterestId(market.id, tokens[i], isLong));
    if (oi != null) total = total.plus(oi.openInterest);
  }
  return total;
}

function onOpenInterest(data: EventData, event: ethereum.Event, inTokens: boolean): void {
  let name = inTokens ? 'OpenInterestInTokensUpdated' : 'OpenInterestUpdated';
  let marketAddress = data.address('market');
  let collateralAddress = data.address('collateralToken');
  let nextValue = data.uint('nextValue');
  if (marketAddress === null || collateralAddress === null || nextValue === null || !data.hasBool('isLong')) return missing(name, 'market/collateralToken/nextValue/isLong', event);
  let isLong = data.bool('isLong');
  let protocol = getProtocol(event);
  let market = getMarket(marketAddress, event, protocol);
  let collateral = getToken(collateralAddress, event);
  addInputToken(market, collateral.id);
  let id = openInterestId(market.id, collateral.id, isLong);
  let oi = MarketOpenInterest.load(id);
  if (oi == null) {
    oi = new MarketOpenInterest(id);
    oi.market = market.id;
    oi.collateralToken = collateral.id;
    oi.side = sideOf(isLong);
    oi.openInterest = BigInt.zero();
    oi.openInterestUSD = BigDecimal.zero();
    oi.openInterestInTokens = BigInt.zero();
  }
  if (inTokens) oi.openInterestInTokens = nextValue;
  else {
    oi.openInterest = nextValue;
    oi.openInterestUSD = usd(nextValue);
  }
  oi.lastUpdateBlockNumber = event.block.number;
  oi.lastUpdateTimestamp = event.block.timestamp;
  oi.save();
  if (inTokens) {
    saveMarket(market, event);
    saveProtocol(protocol, event);
    return;
  }
  // The market's side totals from its per-collateral figures (exact, 10^30 integers); the
  // protocol's move by the market's change.
  let oldLong = market.longOpenInterestUSD;
  let oldShort = market.shortOpenInterestUSD;
  market.longOpenInterestUSD = usd(sideOpenInterest(market, true));
  market.shortOpenInterestUSD = usd(sideOpenInterest(market, false));
  market.totalOpenInterestUSD = market.longOpenInterestUSD.plus(market.shortOpenInterestUSD);
  protocol.longOpenInterestUSD = protocol.longOpenInterestUSD.minus(oldLong).plus(market.longOpenInterestUSD);
  protocol.shortOpenInterestUSD = protocol.shortOpenInterestUSD.minus(oldShort).plus(market.shortOpenInterestUSD);
  protocol.totalOpenInterestUSD = protocol.longOpenInterestUSD.plus(protocol.shortOpenInterestUSD);
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

// ---------------------------------------------------------------- positions

function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  return changetype<Account>(getOrCreateAccount(address, event, protocol));
}

function countOpen(market: Market, protocol: Protocol, account: Account, isLong: boolean, delta: i32): void {
  market.openPositionCount = market.openPositionCount + delta;
  if (isLong) market.longPositionCount = market.longPositionCount + delta;
  else market.shortPositionCount = market.shortPositionCount + delta;
  protocol.openPositionCount = protocol.openPositionCount + delta;
  account.openPositionCount = account.openPositionCount + delta;
}

/**
 * PositionIncrease / PositionDecrease: the position as it stands after the order (sizeInUsd,
 * sizeInTokens, collateralAmount are the position's new totals). A PositionDecrease with
 * orderType Liquidation also books a Liquidation.
 */
function onPosition(data: EventData, event: ethereum.Event, increase: boolean): void {
  let name = increase ? 'PositionIncrease' : 'PositionDecrease';
  let key = data.bytes32('positionKey');
  let accountAddress = data.address('account');
  let marketAddress = data.address('market');
  let collateralAddress = data.address('collateralToken');
  let sizeInUsd = data.uint('sizeInUsd');
  let sizeInTokens = data.uint('sizeInTokens');
  let collateralAmount = data.uint('collateralAmount');
  let sizeDeltaUsd = data.uint('sizeDeltaUsd');
  let collateralPrice = data.uint('collateralTokenPrice.min');
  let orderType = data.uint('orderType');
  if (
    key === null || accountAddress === null || marketAddress === null || collateralAddress === null || sizeInUsd === null ||
    sizeInTokens === null || collateralAmount === null || sizeDeltaUsd === null || collateralPrice === null || orderType === null || !data.hasBool('isLong')
  ) return missing(name, 'positionKey/account/market/collateralToken/sizeInUsd/sizeInTokens/collateralAmount/sizeDeltaUsd/collateralTokenPrice.min/orderType/isLong', event);
  let isLong = data.bool('isLong');
  let protocol = getProtocol(event);
  let market = getMarket(marketAddress, event, protocol);
  let collateral = getToken(collateralAddress, event);
  addInputToken(market, collateral.id);
  let account = getAccount(accountAddress, event, protocol);

  let position = Position.load(key);
  let wasOpen = position != null && position.isOpen;
  let collateralBefore = position == null ? BigInt.zero() : position.collateralBalance;
  if (position == null) {
    position = new Position(key);
    position.protocol = protocol.id;
    position.market = market.id;
    position.account = account.id;
    position.side = sideOf(isLong);
    position.collateralToken = collateral.id;
    position.entryPriceUSD = BigDecimal.zero();
    position.reserveAmount = BigInt.zero();
    position.realisedPnlUSD = BigDecimal.zero();
    // Seen from its opening only when the first event is the increase that made its whole size.
    position.indexedFromOpen = increase && sizeInUsd.equals(sizeDeltaUsd);
    position.openedBlockNumber = event.block.number;
    position.openedTimestamp = event.block.timestamp;
    position.liquidated = false;
    position.isOpen = false;
  }
  let indexTokenId = market.indexToken;
  if (indexTokenId !== null) position.indexToken = indexTokenId;
  position.balance = sizeInUsd;
  position.collateralBalance = collateralAmount;
  position.sizeUSD = usd(sizeInUsd);
  position.collateralUSD = usd(collateralAmount.times(collateralPrice));
  if (indexTokenId !== null && !sizeInTokens.isZero()) {
    let decimals = decimalsOf(Token.load(indexTokenId)!);
    // Average entry price per whole index token: sizeInUsd / sizeInTokens x 10^decimals / 10^30.
    if (decimals >= 0) position.entryPriceUSD = position.sizeUSD.times(tenPow(decimals)).div(sizeInTokens.toBigDecimal());
  }
  // GMX v2's liquidation rule needs fees and the market's min collateral factor, which these events do not carry.
  position.liquidationPriceUSD = null;
  if (!increase) {
    let basePnl = data.int('basePnlUsd');
    if (basePnl !== null) position.realisedPnlUSD = position.realisedPnlUSD.plus(usd(basePnl));
  }
  let isOpen = !sizeInUsd.isZero();
  if (isOpen && !wasOpen) {
    countOpen(market, protocol, account, isLong, 1);
    market.cumulativePositionCount = market.cumulativePositionCount + 1;
    protocol.cumulativePositionCount = protocol.cumulativePositionCount + 1;
    account.cumulativePositionCount = account.cumulativePositionCount + 1;
    position.openedBlockNumber = event.block.number;
    position.openedTimestamp = event.block.timestamp;
    position.closedBlockNumber = null;
    position.closedTimestamp = null;
  } else if (!isOpen && wasOpen) {
    countOpen(market, protocol, account, isLong, -1);
    account.closedPositionCount = account.closedPositionCount + 1;
  }
  if (!isOpen) {
    position.closedBlockNumber = event.block.number;
    position.closedTimestamp = event.block.timestamp;
  }
  position.isOpen = isOpen;
  position.lastUpdateBlockNumber = event.block.number;
  position.lastUpdateTimestamp = event.block.timestamp;

  if (!increase && orderType.toI32() == ORDER_TYPE_LIQUIDATION) {
    let liquidation = new Liquidation(event.transaction.hash.concatI32(event.logIndex.toI32()));
    liquidation.protocol = protocol.id;
    liquidation.market = market.id;
    liquidation.position = position.id;
    liquidation.account = account.id;
    liquidation.side = sideOf(isLong);
    liquidation.sizeUSD = usd(sizeDeltaUsd);
    // The collateral the position held before: as tracked, else the amount the decrease took out.
    let delta = data.number('collateralDeltaAmount');
    let held = collateralBefore.isZero() && delta !== null ? delta : collateralBefore;
    liquidation.collateralUSD = usd(held.times(collateralPrice));
    let basePnl = data.int('basePnlUsd');
    if (basePnl !== null) {
      // GMX states the position's price PnL itself (basePnlUsd): the loss is known whenever indexing began.
      let loss = basePnl.lt(BigInt.zero()) ? usd(basePnl.neg()) : BigDecimal.zero();
      liquidation.realisedLossUSD = loss;
      let shortfall = loss.minus(liquidation.collateralUSD);
      liquidation.shortfallUSD = shortfall.gt(BigDecimal.zero()) ? shortfall : BigDecimal.zero();
    }
    let executionPrice = data.uint('executionPrice');
    if (executionPrice !== null && indexTokenId !== null) {
      let decimals = decimalsOf(Token.load(indexTokenId)!);
      if (decimals >= 0) liquidation.priceUSD = usd(executionPrice).times(tenPow(decimals));
    }
    liquidation.blockNumber = event.block.number;
    liquidation.timestamp = event.block.timestamp;
    liquidation.transactionHash = event.transaction.hash;
    liquidation.logIndex = event.logIndex;
    liquidation.save();
    position.liquidated = true;
    account.liquidationCount = account.liquidationCount + 1;
    market.cumulativeLiquidationCount = market.cumulativeLiquidationCount + 1;
    protocol.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount + 1;
  }
  position.save();
  account.save();
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

// ---------------------------------------------------------------- pool thresholds

/** The source after one side's factor came from an event: EVENT once both sides have. */
function withEventSide(source: string | null, isLong: boolean): string {
  let other = isLong ? 'EVENT_SHORT' : 'EVENT_LONG';
  if (source !== null && (source == other || source == 'EVENT')) return 'EVENT';
  return isLong ? 'EVENT_LONG' : 'EVENT_SHORT';
}

/** The bool ABI word at `offset` (its last byte). */
function abiBool(data: Bytes, offset: i32): boolean {
  return data[offset + 31] != 0;
}

/** The address ABI word at `offset`. */
function abiAddress(data: Bytes, offset: i32): Address {
  return Address.fromBytes(Bytes.fromUint8Array(data.subarray(offset + 12, offset + 32)));
}

/**
 * Config.setUint(baseKey, data, value) emits SetUint with the key's parts. RESERVE_FACTOR's data
 * is abi.encode(market, isLong); MAX_PNL_FACTOR's abi.encode(pnlFactorType, market, isLong), of
 * which the traders' cap (MAX_PNL_FACTOR_FOR_TRADERS) is read (Keys.reserveFactorKey, Keys.maxPnlFactorKey).
 */
function onSetUint(data: EventData, event: ethereum.Event): void {
  let baseKey = data.bytes32('baseKey');
  let keyData = data.bytes('data');
  let value = data.uint('value');
  if (baseKey === null || keyData === null || value === null) return missing('SetUint', 'baseKey/data/value', event);
  let key = baseKey.toHexString();
  let factor = usd(value);
  if (key == RESERVE_FACTOR && keyData.length == 64) {
    let protocol = getProtocol(event);
    let market = getMarket(abiAddress(keyData, 0), event, protocol);
    let isLong = abiBool(keyData, 32);
    if (isLong) market.reserveFactorLong = factor;
    else market.reserveFactorShort = factor;
    market.reserveFactorSource = withEventSide(market.reserveFactorSource, isLong);
    saveMarket(market, event);
    saveProtocol(protocol, event);
  } else if (key == MAX_PNL_FACTOR && keyData.length == 96) {
    let pnlFactorType = Bytes.fromUint8Array(keyData.subarray(0, 32)).toHexString();
    if (pnlFactorType != MAX_PNL_FACTOR_FOR_TRADERS) return;
    let protocol = getProtocol(event);
    let market = getMarket(abiAddress(keyData, 32), event, protocol);
    let isLong = abiBool(keyData, 64);
    if (isLong) market.maxPnlFactorLong = factor;
    else market.maxPnlFactorShort = factor;
    market.maxPnlFactorSource = withEventSide(market.maxPnlFactorSource, isLong);
    saveMarket(market, event);
    saveProtocol(protocol, event);
  }
}
