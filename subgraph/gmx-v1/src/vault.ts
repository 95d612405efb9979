// GMX v1 Vault -> svr's common schema. The rules (open interest, collateral locked, liquidation
// price, prices) are stated with their sources in docs/methodology.md.
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum, log, ValueKind } from '@graphprotocol/graph-ts';
import {
  ClosePosition,
  DecreaseGuaranteedUsd,
  DecreasePoolAmount,
  DecreasePosition,
  DecreaseReservedAmount,
  IncreaseGuaranteedUsd,
  IncreasePoolAmount,
  IncreasePosition,
  IncreaseReservedAmount,
  LiquidatePosition,
  UpdatePosition,
  UpdatePosition1,
} from '../generated/gmx-v1/Vault';
import {
  Account,
  CollateralBalance,
  Liquidation,
  Market,
  Position,
  Protocol,
  Token,
} from '../generated/schema';
import { fixedToDecimal, tenPow } from '../../common/units';
import { saveMarket, saveProtocol } from '../../common/snapshots';
import { PAUSED, setVenueStatus } from '../../common/status';
import { initProtocol } from '../../common/protocol';
import { getOrCreateAccount } from '../../common/account-entity';
import { getOrCreateToken } from '../../common/token-entity';

const PROTOCOL_ID = 'gmx-v1';
/** GMX v1 USD amounts and prices are fixed point with 30 decimals (Vault.PRICE_PRECISION). */
const USD_DECIMALS: i32 = 30;
const BASIS_POINTS_DIVISOR: i32 = 10000;

// The Vault's liquidation parameters: governance state that no event carries. Values and
// sources in docs/methodology.md ("GMX v1: liquidation price").
const MARGIN_FEE_BASIS_POINTS: i32 = 10;
const LIQUIDATION_FEE_USD: i32 = 5;
/** maxLeverage in basis points: 100x. */
const MAX_LEVERAGE_BASIS_POINTS: i32 = 100 * 10000;

const SOURCE_POSITION_EVENT = 'POSITION_EVENT';

// GMX v1 has been paused on Arbitrum and Avalanche since its GLP pool was exploited on 9 July 2025
// (2025-07-09T00:00:00Z: the day; the source dates it to the day). Source: GMX's governance forum,
// "DISCUSSION: Resolve the Distribution Plan for the Recovered Funds from Arbitrum GLP".
const STATUS_SINCE: i64 = 1752019200;
const STATUS_SOURCE = 'https://gov.gmx.io/t/discussion-resolve-the-distribution-plan-for-the-recovered-funds-from-arbitrum-glp/4678';

function usd(value: BigInt): BigDecimal {
  return fixedToDecimal(value, USD_DECIMALS);
}

function usdUnits(dollars: i32): BigInt {
  return BigInt.fromI32(dollars).times(BigInt.fromI32(10).pow(<u8>USD_DECIMALS));
}

// ---------------------------------------------------------------- protocol, tokens, markets

export function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    initProtocol(protocol, 'GMX v1', 'PERPETUAL', 'SHARED_POOL', dataSource.address(), event);
    setVenueStatus(protocol, PAUSED, STATUS_SINCE, STATUS_SOURCE);
    protocol.maxLeverage = BigInt.fromI32(MAX_LEVERAGE_BASIS_POINTS).toBigDecimal().div(BigInt.fromI32(BASIS_POINTS_DIVISOR).toBigDecimal());
    protocol.liquidationFeeUSD = BigInt.fromI32(LIQUIDATION_FEE_USD).toBigDecimal();
    protocol.marginFeeBasisPoints = MARGIN_FEE_BASIS_POINTS;
  }
  return protocol;
}

function getToken(address: Address, event: ethereum.Event): Token {
  return changetype<Token>(getOrCreateToken(address, event, PROTOCOL_ID));
}

function getMarket(indexToken: Token, event: ethereum.Event, protocol: Protocol): Market {
  let market = Market.load(indexToken.id);
  if (market == null) {
    market = new Market(indexToken.id);
    market.protocol = protocol.id;
    market.name = indexToken.symbol;
    market.indexToken = indexToken.id;
    market.inputTokens = [indexToken.id];
    // GMX v1 keeps one pool for every market: collateral is counted on the Protocol.
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
    market.createdBlockNumber = event.block.number;
    market.createdTimestamp = event.block.timestamp;
    market.lastUpdateBlockNumber = event.block.number;
    market.lastUpdateTimestamp = event.block.timestamp;
    protocol.marketCount = protocol.marketCount + 1;
  }
  return market;
}

function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  return changetype<Account>(getOrCreateAccount(address, event, protocol));
}

// ---------------------------------------------------------------- prices and collateral

/** The token amount's USD value, or null when the token has no price or unknown decimals. */
function amountUSD(token: Token, amount: BigInt): BigDecimal | null {
  let price = token.lastPriceUSD;
  // `decimals` is nullable: the generated getter reads null as 0, so look at the stored value.
  let decimals = token.get('decimals');
  if (price === null || decimals === null || decimals.kind == ValueKind.NULL) return null;
  return amount.toBigDecimal().div(tenPow(decimals.toI32())).times(price);
}

function getCollateralBalance(token: Token, event: ethereum.Event, protocol: Protocol): CollateralBalance {
  let balance = CollateralBalance.load(token.id);
  if (balance == null) {
    balance = new CollateralBalance(token.id);
    balance.protocol = protocol.id;
    balance.token = token.id;
    balance.amount = BigInt.zero();
    balance.reservedAmount = BigInt.zero();
    balance.guaranteedUSD = BigDecimal.zero();
    balance.amountUSD = BigDecimal.zero();
    balance.priced = true;
    let ids = protocol.collateralBalanceIds;
    ids.push(balance.id);
    protocol.collateralBalanceIds = ids;
  }
  balance.lastUpdateBlockNumber = event.block.number;
  balance.lastUpdateTimestamp = event.block.timestamp;
  return balance;
}

/** Values the balance at its token's last price. */
function revalue(balance: CollateralBalance, token: Token): void {
  let value = amountUSD(token, balance.amount);
  if (value === null) {
    balance.amountUSD = BigDecimal.zero();
    balance.priced = false;
  } else {
    balance.amountUSD = value;
    balance.priced = true;
  }
}

/**
 * Collateral locked = sum over the Vault's tokens of pool amount x last price. A token with a
 * non-zero pool amount and no price is left out and named in `unpricedTokens`.
 */
function recomputeCollateral(protocol: Protocol): void {
  let total = BigDecimal.zero();
  let unpriced: Bytes[] = [];
  let ids = protocol.collateralBalanceIds;
  for (let i = 0; i < ids.length; i++) {
    let balance = CollateralBalance.load(ids[i]);
    if (balance == null || balance.amount.isZero()) continue;
    if (balance.priced) total = total.plus(balance.amountUSD);
    else unpriced.push(balance.token);
  }
  protocol.totalValueLockedUSD = total;
  protocol.unpricedTokens = unpriced;
  protocol.priced = unpriced.length == 0;
}

/**
 * A new price for a token, from a position event (its index token) or a Chainlink round: the most
 * recent source wins, and the token's pool is revalued at it.
 */
export function updatePrice(token: Token, priceUSD: BigDecimal, source: string, event: ethereum.Event, protocol: Protocol): void {
  token.lastPriceUSD = priceUSD;
  token.lastPriceSource = source;
  token.lastPriceBlockNumber = event.block.number;
  token.lastPriceTimestamp = event.block.timestamp;
  token.save();
  let balance = CollateralBalance.load(token.id);
  if (balance != null) {
    revalue(balance, token);
    balance.save();
    recomputeCollateral(protocol);
  }
}

// ---------------------------------------------------------------- positions

/**
 * The index-token price at which GMX v1's Vault.validateLiquidation first closes the position:
 * collateral - loss < max(marginFee + liquidationFeeUsd, size / maxLeverage), with
 * marginFee = size x marginFeeBasisPoints / 10000 and the borrow (funding) fee zero at the
 * position's last change (entryFundingRate is reset then). USD x 10^30 integers, as the Vault.
 *   long:  price = entry - entry x (collateral - threshold) / size   (never below 0)
 *   short: price = entry + entry x (collateral - threshold) / size
 */
export function liquidationPrice(size: BigInt, collateral: BigInt, entryPrice: BigInt, isLong: boolean): BigInt {
  let divisor = BigInt.fromI32(BASIS_POINTS_DIVISOR);
  let marginFee = size.times(BigInt.fromI32(MARGIN_FEE_BASIS_POINTS)).div(divisor);
  let feeThreshold = marginFee.plus(usdUnits(LIQUIDATION_FEE_USD));
  let leverageThreshold = size.times(divisor).div(BigInt.fromI32(MAX_LEVERAGE_BASIS_POINTS));
  let threshold = feeThreshold.gt(leverageThreshold) ? feeThreshold : leverageThreshold;
  let move = entryPrice.times(collateral.minus(threshold)).div(size);
  if (isLong) {
    let price = entryPrice.minus(move);
    return price.lt(BigInt.zero()) ? BigInt.zero() : price;
  }
  return entryPrice.plus(move);
}

function sideOf(isLong: boolean): string {
  return isLong ? 'LONG' : 'SHORT';
}

/** Moves the position's size into (or out of) its market's and the protocol's open interest. */
function addOpenInterest(market: Market, protocol: Protocol, isLong: boolean, delta: BigDecimal): void {
  if (isLong) {
    market.longOpenInterestUSD = market.longOpenInterestUSD.plus(delta);
    protocol.longOpenInterestUSD = protocol.longOpenInterestUSD.plus(delta);
  } else {
    market.shortOpenInterestUSD = market.shortOpenInterestUSD.plus(delta);
    protocol.shortOpenInterestUSD = protocol.shortOpenInterestUSD.plus(delta);
  }
  market.totalOpenInterestUSD = market.longOpenInterestUSD.plus(market.shortOpenInterestUSD);
  protocol.totalOpenInterestUSD = protocol.longOpenInterestUSD.plus(protocol.shortOpenInterestUSD);
}

function countOpen(market: Market, protocol: Protocol, account: Account, isLong: boolean, delta: i32): void {
  market.openPositionCount = market.openPositionCount + delta;
  if (isLong) market.longPositionCount = market.longPositionCount + delta;
  else market.shortPositionCount = market.shortPositionCount + delta;
  protocol.openPositionCount = protocol.openPositionCount + delta;
  account.openPositionCount = account.openPositionCount + delta;
  if (delta > 0) {
    market.cumulativePositionCount = market.cumulativePositionCount + 1;
    protocol.cumulativePositionCount = protocol.cumulativePositionCount + 1;
    account.cumulativePositionCount = account.cumulativePositionCount + 1;
  } else {
    account.closedPositionCount = account.closedPositionCount + 1;
  }
}

/**
 * The position of an Increase/Decrease/LiquidatePosition event, created or reopened as needed.
 * `opening`: the event opens the position (IncreasePosition); otherwise a position first seen
 * here opened before indexing started.
 */
function touchPosition(
  key: Bytes,
  accountAddress: Address,
  collateralTokenAddress: Address,
  indexToken: Token,
  isLong: boolean,
  opening: boolean,
  event: ethereum.Event,
  protocol: Protocol,
  market: Market,
): Position {
  let position = Position.load(key);
  let account = getAccount(accountAddress, event, protocol);
  let collateralToken = getToken(collateralTokenAddress, event);
  if (position == null) {
    position = new Position(key);
    position.protocol = protocol.id;
    position.market = market.id;
    position.account = account.id;
    position.side = sideOf(isLong);
    position.collateralToken = collateralToken.id;
    position.indexToken = indexToken.id;
    position.isOpen = false;
    position.liquidated = false;
  }
  if (!position.isOpen) {
    position.isOpen = true;
    position.liquidated = false;
    position.indexedFromOpen = opening;
    position.balance = BigInt.zero();
    position.collateralBalance = BigInt.zero();
    position.sizeUSD = BigDecimal.zero();
    position.collateralUSD = BigDecimal.zero();
    position.entryPriceUSD = BigDecimal.zero();
    position.liquidationPriceUSD = null;
    position.reserveAmount = BigInt.zero();
    position.realisedPnlUSD = BigDecimal.zero();
    position.entryFundingRate = null;
    position.openedBlockNumber = event.block.number;
    position.openedTimestamp = event.block.timestamp;
    position.closedBlockNumber = null;
    position.closedTimestamp = null;
    countOpen(market, protocol, account, isLong, 1);
  }
  let inputs = market.inputTokens;
  let listed = false;
  for (let i = 0; i < inputs.length; i++) {
    if (inputs[i].equals(collateralToken.id)) listed = true;
  }
  if (!listed) {
    inputs.push(collateralToken.id);
    market.inputTokens = inputs;
  }
  position.lastUpdateBlockNumber = event.block.number;
  position.lastUpdateTimestamp = event.block.timestamp;
  account.save();
  return position;
}

/** Sets the position's size and moves its market's and the protocol's open interest by the change. */
function setSize(position: Position, size: BigInt, market: Market, protocol: Protocol): void {
  let isLong = position.side == 'LONG';
  let sizeUSD = usd(size);
  addOpenInterest(market, protocol, isLong, sizeUSD.minus(position.sizeUSD));
  position.balance = size;
  position.sizeUSD = sizeUSD;
}

function positionEvent(
  key: Bytes,
  accountAddress: Address,
  collateralToken: Address,
  indexTokenAddress: Address,
  isLong: boolean,
  price: BigInt,
  opening: boolean,
  event: ethereum.Event,
): void {
  let protocol = getProtocol(event);
  let indexToken = getToken(indexTokenAddress, event);
  updatePrice(indexToken, usd(price), SOURCE_POSITION_EVENT, event, protocol);
  let market = getMarket(indexToken, event, protocol);
  let position = touchPosition(key, accountAddress, collateralToken, indexToken, isLong, opening, event, protocol, market);
  position.save();
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

export function handleIncreasePosition(event: IncreasePosition): void {
  let p = event.params;
  // Size and collateral come from the UpdatePosition the Vault emits right after.
  positionEvent(p.key, p.account, p.collateralToken, p.indexToken, p.isLong, p.price, true, event);
}

export function handleDecreasePosition(event: DecreasePosition): void {
  let p = event.params;
  // A partial decrease is followed by UpdatePosition, a full one by ClosePosition.
  positionEvent(p.key, p.account, p.collateralToken, p.indexToken, p.isLong, p.price, false, event);
}

function updatePosition(
  key: Bytes,
  size: BigInt,
  collateral: BigInt,
  averagePrice: BigInt,
  entryFundingRate: BigInt,
  reserveAmount: BigInt,
  realisedPnl: BigInt,
  markPrice: BigInt | null,
  event: ethereum.Event,
): void {
  let position = Position.load(key);
  if (position == null) {
    // The Vault emits UpdatePosition right after Increase/DecreasePosition, which create the entity.
    log.warning('gmx-v1: UpdatePosition for unknown position {}: skipped', [key.toHexString()]);
    return;
  }
  let protocol = getProtocol(event);
  let market = Market.load(position.market)!;
  if (markPrice !== null) {
    let indexToken = Token.load(position.indexToken!)!;
    updatePrice(indexToken, usd(markPrice), SOURCE_POSITION_EVENT, event, protocol);
  }
  setSize(position, size, market, protocol);
  position.collateralBalance = collateral;
  position.collateralUSD = usd(collateral);
  position.entryPriceUSD = usd(averagePrice);
  position.entryFundingRate = entryFundingRate;
  position.reserveAmount = reserveAmount;
  position.realisedPnlUSD = usd(realisedPnl);
  position.liquidationPriceUSD = size.isZero() ? null : usd(liquidationPrice(size, collateral, averagePrice, position.side == 'LONG'));
  position.lastUpdateBlockNumber = event.block.number;
  position.lastUpdateTimestamp = event.block.timestamp;
  position.save();
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

/** UpdatePosition as the Arbitrum Vault emits it: 7 arguments, no markPrice. */
export function handleUpdatePosition(event: UpdatePosition): void {
  let p = event.params;
  updatePosition(p.key, p.size, p.collateral, p.averagePrice, p.entryFundingRate, p.reserveAmount, p.realisedPnl, null, event);
}

/** UpdatePosition as the Avalanche Vault emits it: 8 arguments, with markPrice. */
export function handleUpdatePositionWithMarkPrice(event: UpdatePosition1): void {
  let p = event.params;
  updatePosition(p.key, p.size, p.collateral, p.averagePrice, p.entryFundingRate, p.reserveAmount, p.realisedPnl, p.markPrice, event);
}

/** Takes a position out of open interest and the open counts. */
function closePosition(position: Position, market: Market, protocol: Protocol, event: ethereum.Event): void {
  let account = Account.load(position.account)!;
  setSize(position, BigInt.zero(), market, protocol);
  position.collateralBalance = BigInt.zero();
  position.collateralUSD = BigDecimal.zero();
  position.liquidationPriceUSD = null;
  position.reserveAmount = BigInt.zero();
  position.isOpen = false;
  position.closedBlockNumber = event.block.number;
  position.closedTimestamp = event.block.timestamp;
  position.lastUpdateBlockNumber = event.block.number;
  position.lastUpdateTimestamp = event.block.timestamp;
  countOpen(market, protocol, account, position.side == 'LONG', -1);
  account.save();
}

export function handleClosePosition(event: ClosePosition): void {
  let p = event.params;
  let position = Position.load(p.key);
  if (position == null || !position.isOpen) {
    log.warning('gmx-v1: ClosePosition for unknown or closed position {}: skipped', [p.key.toHexString()]);
    return;
  }
  let protocol = getProtocol(event);
  let market = Market.load(position.market)!;
  // The event carries the position as it stood before deletion.
  position.entryPriceUSD = usd(p.averagePrice);
  position.entryFundingRate = p.entryFundingRate;
  position.realisedPnlUSD = usd(p.realisedPnl);
  closePosition(position, market, protocol, event);
  position.save();
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

export function handleLiquidatePosition(event: LiquidatePosition): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let indexToken = getToken(p.indexToken, event);
  updatePrice(indexToken, usd(p.markPrice), SOURCE_POSITION_EVENT, event, protocol);
  let market = getMarket(indexToken, event, protocol);
  let known = Position.load(p.key);
  let wasTracked = known != null && known.isOpen;
  let position = touchPosition(p.key, p.account, p.collateralToken, indexToken, p.isLong, false, event, protocol, market);
  let entryPrice = position.entryPriceUSD;

  let liquidation = new Liquidation(event.transaction.hash.concatI32(event.logIndex.toI32()));
  liquidation.protocol = protocol.id;
  liquidation.market = market.id;
  liquidation.position = position.id;
  liquidation.account = position.account;
  liquidation.side = sideOf(p.isLong);
  liquidation.sizeUSD = usd(p.size);
  liquidation.collateralUSD = usd(p.collateral);
  liquidation.priceUSD = usd(p.markPrice);
  if (wasTracked && !entryPrice.equals(BigDecimal.zero())) {
    // Loss at the mark price: size x (entry - mark) / entry for a long, (mark - entry) for a short.
    let mark = usd(p.markPrice);
    let move = p.isLong ? entryPrice.minus(mark) : mark.minus(entryPrice);
    let loss = liquidation.sizeUSD.times(move).div(entryPrice);
    if (loss.lt(BigDecimal.zero())) loss = BigDecimal.zero();
    liquidation.realisedLossUSD = loss;
    let shortfall = loss.minus(liquidation.collateralUSD);
    liquidation.shortfallUSD = shortfall.gt(BigDecimal.zero()) ? shortfall : BigDecimal.zero();
  }
  liquidation.blockNumber = event.block.number;
  liquidation.timestamp = event.block.timestamp;
  liquidation.transactionHash = event.transaction.hash;
  liquidation.logIndex = event.logIndex;
  liquidation.save();

  position.realisedPnlUSD = usd(p.realisedPnl);
  position.liquidated = true;
  closePosition(position, market, protocol, event);
  position.save();

  let account = Account.load(position.account)!;
  account.liquidationCount = account.liquidationCount + 1;
  account.save();
  market.cumulativeLiquidationCount = market.cumulativeLiquidationCount + 1;
  protocol.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount + 1;
  saveMarket(market, event);
  saveProtocol(protocol, event);
}

// ---------------------------------------------------------------- pool, reserved, guaranteed

function changePool(tokenAddress: Address, amount: BigInt, event: ethereum.Event): void {
  let protocol = getProtocol(event);
  let token = getToken(tokenAddress, event);
  let balance = getCollateralBalance(token, event, protocol);
  balance.amount = balance.amount.plus(amount);
  revalue(balance, token);
  balance.save();
  recomputeCollateral(protocol);
  saveProtocol(protocol, event);
}

export function handleIncreasePoolAmount(event: IncreasePoolAmount): void {
  changePool(event.params.token, event.params.amount, event);
}

export function handleDecreasePoolAmount(event: DecreasePoolAmount): void {
  changePool(event.params.token, event.params.amount.neg(), event);
}

function changeReserved(tokenAddress: Address, amount: BigInt, event: ethereum.Event): void {
  let protocol = getProtocol(event);
  let token = getToken(tokenAddress, event);
  let balance = getCollateralBalance(token, event, protocol);
  balance.reservedAmount = balance.reservedAmount.plus(amount);
  revalue(balance, token);
  balance.save();
  saveProtocol(protocol, event);
}

export function handleIncreaseReservedAmount(event: IncreaseReservedAmount): void {
  changeReserved(event.params.token, event.params.amount, event);
}

export function handleDecreaseReservedAmount(event: DecreaseReservedAmount): void {
  changeReserved(event.params.token, event.params.amount.neg(), event);
}

function changeGuaranteed(tokenAddress: Address, amount: BigInt, event: ethereum.Event): void {
  let protocol = getProtocol(event);
  let token = getToken(tokenAddress, event);
  let balance = getCollateralBalance(token, event, protocol);
  balance.guaranteedUSD = balance.guaranteedUSD.plus(usd(amount));
  revalue(balance, token);
  balance.save();
  saveProtocol(protocol, event);
}

export function handleIncreaseGuaranteedUsd(event: IncreaseGuaranteedUsd): void {
  changeGuaranteed(event.params.token, event.params.amount, event);
}

export function handleDecreaseGuaranteedUsd(event: DecreaseGuaranteedUsd): void {
  changeGuaranteed(event.params.token, event.params.amount.neg(), event);
}
