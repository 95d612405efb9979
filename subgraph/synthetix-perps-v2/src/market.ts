// A PerpsV2 market (one data source per market proxy, created from MarketAdded) -> positions,
// trader margin, open interest and liquidations. The rules and their sources are stated in
// docs/methodology.md ("Synthetix PerpsV2").
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum, log } from '@graphprotocol/graph-ts';
import { MarginTransferred, PositionLiquidated, PositionModified } from '../generated/templates/PerpsV2Market/PerpsV2Market';
import { Account, CollateralBalance, Liquidation, MarginBalance, Market, Position, Protocol, Token } from '../generated/schema';
import { getAccount, getSUSD, PROTOCOL_ID, SOURCE_POSITION_EVENT, wad } from './common';
import { saveMarket, saveProtocol } from '../../common/snapshots';

const LONG = 'LONG';
const SHORT = 'SHORT';

class Context {
  constructor(
    public protocol: Protocol,
    public market: Market,
  ) {}
}

/** The protocol and this data source's market; null (with a warning) if MarketAdded was not seen. */
function load(event: ethereum.Event): Context | null {
  let protocol = Protocol.load(PROTOCOL_ID);
  let market = Market.load(event.address);
  if (protocol == null || market == null) {
    log.warning('synthetix-perps-v2: event from {} before its MarketAdded: skipped', [event.address.toHexString()]);
    return null;
  }
  return new Context(protocol, market);
}

function abs(value: BigInt): BigInt {
  return value.lt(BigInt.zero()) ? value.neg() : value;
}

/** Records the market's last price (PositionModified.lastPrice) on the market and its asset. */
function updatePrice(market: Market, price: BigInt, event: ethereum.Event): void {
  let priceUSD = wad(price);
  market.lastPriceUSD = priceUSD;
  // The asset's key comes with the data source (createWithContext in handleMarketAdded).
  let asset = Token.load(dataSource.context().getBytes('asset'));
  if (asset != null) {
    asset.lastPriceUSD = priceUSD;
    asset.lastPriceSource = SOURCE_POSITION_EVENT;
    asset.lastPriceBlockNumber = event.block.number;
    asset.lastPriceTimestamp = event.block.timestamp;
    asset.save();
  }
}

/** Open interest per side = sum of |size| x the market's last price; moves the protocol's by the change. */
function revalueOpenInterest(market: Market, protocol: Protocol): void {
  let price = market.lastPriceUSD;
  if (price === null) return;
  let longUSD = wad(market.longOpenInterestSize!).times(price);
  let shortUSD = wad(market.shortOpenInterestSize!).times(price);
  protocol.longOpenInterestUSD = protocol.longOpenInterestUSD.plus(longUSD.minus(market.longOpenInterestUSD));
  protocol.shortOpenInterestUSD = protocol.shortOpenInterestUSD.plus(shortUSD.minus(market.shortOpenInterestUSD));
  protocol.totalOpenInterestUSD = protocol.longOpenInterestUSD.plus(protocol.shortOpenInterestUSD);
  market.longOpenInterestUSD = longUSD;
  market.shortOpenInterestUSD = shortUSD;
  market.totalOpenInterestUSD = longUSD.plus(shortUSD);
}

function getMarginBalance(market: Market, account: Account, protocol: Protocol, event: ethereum.Event): MarginBalance {
  let id = market.id.concat(account.id);
  let balance = MarginBalance.load(id);
  if (balance == null) {
    balance = new MarginBalance(id);
    balance.protocol = protocol.id;
    balance.market = market.id;
    balance.account = account.id;
    balance.margin = BigInt.zero();
    balance.marginUSD = BigDecimal.zero();
    balance.lastUpdateBlockNumber = event.block.number;
    balance.lastUpdateTimestamp = event.block.timestamp;
  }
  return balance;
}

/** Sets the trader's margin in the market and moves the market's and the protocol's collateral by the change. */
function setMargin(balance: MarginBalance, margin: BigInt, ctx: Context, event: ethereum.Event): void {
  let delta = margin.minus(balance.margin);
  let deltaUSD = wad(delta);
  balance.margin = margin;
  balance.marginUSD = wad(margin);
  balance.lastUpdateBlockNumber = event.block.number;
  balance.lastUpdateTimestamp = event.block.timestamp;
  if (delta.isZero()) return;
  let total = CollateralBalance.load(ctx.market.id)!;
  total.amount = total.amount.plus(delta);
  total.amountUSD = wad(total.amount);
  total.lastUpdateBlockNumber = event.block.number;
  total.lastUpdateTimestamp = event.block.timestamp;
  total.save();
  ctx.market.totalValueLockedUSD = total.amountUSD;
  ctx.protocol.totalValueLockedUSD = ctx.protocol.totalValueLockedUSD.plus(deltaUSD);
}

function countOpen(ctx: Context, account: Account, isLong: boolean, delta: i32): void {
  let market = ctx.market;
  let protocol = ctx.protocol;
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

/** Sets the position's |size| and moves its market's open size on its side by the change. */
function setSize(position: Position, size: BigInt, market: Market): void {
  let newSize = abs(size);
  let delta = newSize.minus(position.balance);
  if (position.side == LONG) market.longOpenInterestSize = market.longOpenInterestSize!.plus(delta);
  else market.shortOpenInterestSize = market.shortOpenInterestSize!.plus(delta);
  position.balance = newSize;
}

/** The position of (market, account, side): one entity per key, reopened when the key opens again. */
function openPosition(
  ctx: Context,
  account: Account,
  side: string,
  opening: boolean,
  event: ethereum.Event,
): Position {
  let id = ctx.market.id.concat(account.id).concatI32(side == LONG ? 1 : 0);
  let position = Position.load(id);
  if (position == null) {
    position = new Position(id);
    position.protocol = ctx.protocol.id;
    position.market = ctx.market.id;
    position.account = account.id;
    position.side = side;
    position.collateralToken = getSUSD(event).id;
    position.indexToken = ctx.market.indexToken;
  }
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
  countOpen(ctx, account, side == LONG, 1);
  return position;
}

/** Takes a position out of the market's open size and the open counts. */
function closePosition(position: Position, ctx: Context, account: Account, event: ethereum.Event): void {
  setSize(position, BigInt.zero(), ctx.market);
  position.sizeUSD = BigDecimal.zero();
  position.collateralBalance = BigInt.zero();
  position.collateralUSD = BigDecimal.zero();
  position.liquidationPriceUSD = null;
  position.isOpen = false;
  position.closedBlockNumber = event.block.number;
  position.closedTimestamp = event.block.timestamp;
  position.lastUpdateBlockNumber = event.block.number;
  position.lastUpdateTimestamp = event.block.timestamp;
  countOpen(ctx, account, position.side == LONG, -1);
}

/** The open position the margin balance backs, if any. */
function currentPosition(balance: MarginBalance): Position | null {
  let id = balance.position;
  if (id === null) return null;
  return Position.load(id);
}

function save(ctx: Context, event: ethereum.Event): void {
  revalueOpenInterest(ctx.market, ctx.protocol);
  saveMarket(ctx.market, event);
  saveProtocol(ctx.protocol, event);
}

/**
 * PositionModified carries the account's margin and signed size after the change (both absolute),
 * the trade's size (zero for a margin transfer) and the fill price.
 */
export function handlePositionModified(event: PositionModified): void {
  let ctx = load(event);
  if (ctx == null) return;
  let p = event.params;
  updatePrice(ctx.market, p.lastPrice, event);
  let account = getAccount(p.account, event, ctx.protocol);
  let balance = getMarginBalance(ctx.market, account, ctx.protocol, event);
  let current = currentPosition(balance);

  if (current != null && p.size.isZero() && p.tradeSize.isZero()) {
    // Size to zero without a trade: a liquidation. PerpsV2 emits this PositionModified (margin 0)
    // right before PositionLiquidated in the same transaction; that handler closes the position,
    // so that the liquidation records the margin the position had.
    balance.save();
    account.save();
    save(ctx, event);
    return;
  }

  setMargin(balance, p.margin, ctx, event);
  let side = p.size.gt(BigInt.zero()) ? LONG : SHORT;
  if (current != null && (p.size.isZero() || current.side != side)) {
    // A full close, or a flip: the old side's position closes here.
    closePosition(current, ctx, account, event);
    current.save();
    let flipped = !p.size.isZero();
    current = null;
    balance.position = null;
    if (flipped) {
      current = openPosition(ctx, account, side, true, event);
    }
  } else if (current == null && !p.size.isZero()) {
    // Opened here when the trade is the whole size; otherwise it opened before indexing started.
    current = openPosition(ctx, account, side, p.size.equals(p.tradeSize), event);
  }

  if (current != null) {
    setSize(current, p.size, ctx.market);
    current.sizeUSD = wad(current.balance).times(wad(p.lastPrice));
    current.collateralBalance = p.margin;
    current.collateralUSD = wad(p.margin);
    // PerpsV2 realises profit, loss and funding into the margin at every change and resets the
    // position's lastPrice to the fill price: the price the position's PnL runs from.
    current.entryPriceUSD = wad(p.lastPrice);
    current.lastUpdateBlockNumber = event.block.number;
    current.lastUpdateTimestamp = event.block.timestamp;
    current.save();
    balance.position = current.id;
  }
  balance.save();
  account.save();
  save(ctx, event);
}

/** MarginTransferred: a deposit (> 0) or withdrawal (< 0) of margin. PerpsV2 follows it with a PositionModified carrying the new margin. */
export function handleMarginTransferred(event: MarginTransferred): void {
  let ctx = load(event);
  if (ctx == null) return;
  let p = event.params;
  let account = getAccount(p.account, event, ctx.protocol);
  let balance = getMarginBalance(ctx.market, account, ctx.protocol, event);
  setMargin(balance, balance.margin.plus(p.marginDelta), ctx, event);
  let current = currentPosition(balance);
  if (current != null) {
    current.collateralBalance = balance.margin;
    current.collateralUSD = balance.marginUSD;
    current.save();
  }
  balance.save();
  account.save();
  save(ctx, event);
}

/** PositionLiquidated: the position as it stood (signed size), the price, and the fees paid. */
export function handlePositionLiquidated(event: PositionLiquidated): void {
  let ctx = load(event);
  if (ctx == null) return;
  let p = event.params;
  updatePrice(ctx.market, p.price, event);
  let account = getAccount(p.account, event, ctx.protocol);
  let balance = getMarginBalance(ctx.market, account, ctx.protocol, event);
  let current = currentPosition(balance);
  let isLong = p.size.gt(BigInt.zero());
  let price = wad(p.price);

  let liquidation = new Liquidation(event.transaction.hash.concatI32(event.logIndex.toI32()));
  liquidation.protocol = ctx.protocol.id;
  liquidation.market = ctx.market.id;
  liquidation.account = account.id;
  liquidation.liquidator = p.liquidator;
  liquidation.side = isLong ? LONG : SHORT;
  liquidation.sizeUSD = wad(abs(p.size)).times(price);
  // The margin before liquidation: the last the subgraph saw for the account in this market.
  liquidation.collateralUSD = balance.marginUSD;
  liquidation.priceUSD = price;
  liquidation.feeUSD = wad(p.flaggerFee.plus(p.liquidatorFee).plus(p.stakersFee));
  if (current != null) {
    liquidation.position = current.id;
    // Loss since the position's last change, at the liquidation price (funding accrued since then
    // is not in the events the subgraph reads): |size| x (lastPrice - price) for a long.
    let entry = current.entryPriceUSD;
    let move = isLong ? entry.minus(price) : price.minus(entry);
    let loss = wad(abs(p.size)).times(move);
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

  // The position is deleted with its margin (PerpsV2MarketLiquidate._liquidatePosition).
  setMargin(balance, BigInt.zero(), ctx, event);
  if (current != null) {
    current.liquidated = true;
    current.realisedPnlUSD = BigDecimal.zero().minus(liquidation.collateralUSD);
    closePosition(current, ctx, account, event);
    current.save();
  } else {
    log.warning('synthetix-perps-v2: PositionLiquidated for {} in {} with no open position seen', [
      p.account.toHexString(),
      ctx.market.name,
    ]);
  }
  balance.position = null;
  balance.save();
  account.liquidationCount = account.liquidationCount + 1;
  account.save();
  ctx.market.cumulativeLiquidationCount = ctx.market.cumulativeLiquidationCount + 1;
  ctx.protocol.cumulativeLiquidationCount = ctx.protocol.cumulativeLiquidationCount + 1;
  save(ctx, event);
}
