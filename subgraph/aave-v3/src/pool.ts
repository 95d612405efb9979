// Aave v3 Pool -> svr's common schema. Balances are kept as Aave keeps them: scaled by the
// reserve's index at each change (aToken / variable debt token `_mintScaled` / `_burnScaled`:
// amount.rayDiv(index)), so that scaled x the latest index is the exact balance now. Rules and
// sources: docs/methodology.md ("Aave v3").
import { Address, BigInt, ethereum, log } from '@graphprotocol/graph-ts';
import {
  Borrow,
  LiquidationCall,
  Repay,
  ReserveDataUpdated,
  ReserveUsedAsCollateralDisabled,
  ReserveUsedAsCollateralEnabled,
  Supply,
  Withdraw,
} from '../generated/aave-v3/Pool';
import { Account, LendingBalance, LendingReserve, Liquidation, Market, Protocol, Token } from '../generated/schema';
import {
  amountUSD,
  getAccount,
  getBalance,
  getMarket,
  getProtocol,
  rayDiv,
  rayMul,
  recomputeProtocol,
  revalueReserve,
} from './common';
import { saveProtocol } from '../../common/snapshots';

/** InterestRateMode.STABLE (DataTypes.InterestRateMode: NONE 0, STABLE 1, VARIABLE 2). */
const STABLE_MODE: i32 = 1;

function supplyOpen(b: LendingBalance): boolean {
  return b.scaledSupply.gt(BigInt.zero());
}

function debtOpen(b: LendingBalance): boolean {
  return b.scaledVariableDebt.gt(BigInt.zero()) || b.stableDebt.gt(BigInt.zero());
}

/** Counts a side (supply or debt) that opened or closed with this change. */
function countSide(was: boolean, now: boolean, market: Market, protocol: Protocol, account: Account): void {
  if (was == now) return;
  let delta: i32 = now ? 1 : -1;
  market.openPositionCount = market.openPositionCount + delta;
  protocol.openPositionCount = protocol.openPositionCount + delta;
  account.openPositionCount = account.openPositionCount + delta;
  if (now) {
    market.cumulativePositionCount = market.cumulativePositionCount + 1;
    protocol.cumulativePositionCount = protocol.cumulativePositionCount + 1;
    account.cumulativePositionCount = account.cumulativePositionCount + 1;
  } else {
    account.closedPositionCount = account.closedPositionCount + 1;
  }
}

/** A change to one account's balances in one reserve. */
class Change {
  reserve: LendingReserve;
  balance: LendingBalance;
  wasSupplyOpen: boolean;
  wasDebtOpen: boolean;

  constructor(reserveAddress: Address, user: Address, event: ethereum.Event, protocol: Protocol) {
    getMarket(reserveAddress, event, protocol);
    this.reserve = LendingReserve.load(reserveAddress)!;
    this.balance = getBalance(reserveAddress, user, event, protocol);
    this.wasSupplyOpen = supplyOpen(this.balance);
    this.wasDebtOpen = debtOpen(this.balance);
  }

  /** Adds `amount` (negative: removes) to the supplied balance, at the latest liquidity index. */
  supply(amount: BigInt): void {
    let negative = amount.lt(BigInt.zero());
    let scaled = rayDiv(negative ? amount.neg() : amount, this.reserve.liquidityIndex);
    if (negative) scaled = scaled.neg();
    this.balance.scaledSupply = this.balance.scaledSupply.plus(scaled);
    this.reserve.scaledTotalSupply = this.reserve.scaledTotalSupply.plus(scaled);
    if (this.balance.usedAsCollateral) this.reserve.scaledTotalCollateral = this.reserve.scaledTotalCollateral.plus(scaled);
  }

  /** Adds `amount` (negative: removes) to the variable debt, at the latest variable borrow index. */
  variableDebt(amount: BigInt): void {
    let negative = amount.lt(BigInt.zero());
    let scaled = rayDiv(negative ? amount.neg() : amount, this.reserve.variableBorrowIndex);
    if (negative) scaled = scaled.neg();
    this.balance.scaledVariableDebt = this.balance.scaledVariableDebt.plus(scaled);
    this.reserve.scaledTotalVariableDebt = this.reserve.scaledTotalVariableDebt.plus(scaled);
  }

  stableDebt(amount: BigInt): void {
    this.balance.stableDebt = this.balance.stableDebt.plus(amount);
    this.reserve.totalStableDebt = this.reserve.totalStableDebt.plus(amount);
  }

  /** Debt repaid or liquidated: variable debt first, stable-rate debt only when no variable debt is known. */
  reduceDebt(amount: BigInt): void {
    if (this.balance.scaledVariableDebt.le(BigInt.zero()) && this.balance.stableDebt.gt(BigInt.zero())) {
      this.stableDebt(amount.neg());
    } else {
      this.variableDebt(amount.neg());
    }
  }

  setCollateral(enabled: boolean): void {
    if (this.balance.usedAsCollateral == enabled) return;
    this.balance.usedAsCollateral = enabled;
    let scaled = enabled ? this.balance.scaledSupply : this.balance.scaledSupply.neg();
    this.reserve.scaledTotalCollateral = this.reserve.scaledTotalCollateral.plus(scaled);
  }

  save(event: ethereum.Event, protocol: Protocol): void {
    let b = this.balance;
    b.supplyBalance = rayMul(b.scaledSupply, this.reserve.liquidityIndex);
    b.debtBalance = rayMul(b.scaledVariableDebt, this.reserve.variableBorrowIndex).plus(b.stableDebt);
    b.lastUpdateBlockNumber = event.block.number;
    b.lastUpdateTimestamp = event.block.timestamp;
    b.save();
    this.reserve.lastUpdateBlockNumber = event.block.number;
    this.reserve.lastUpdateTimestamp = event.block.timestamp;
    this.reserve.save();
    let market = Market.load(this.reserve.id)!;
    let account = Account.load(b.account)!;
    countSide(this.wasSupplyOpen, supplyOpen(b), market, protocol, account);
    countSide(this.wasDebtOpen, debtOpen(b), market, protocol, account);
    market.save();
    account.save();
    revalueReserve(this.reserve.id, event);
  }
}

function finish(protocol: Protocol, event: ethereum.Event): void {
  recomputeProtocol(protocol);
  saveProtocol(protocol, event);
}

/**
 * The Pool emits ReserveDataUpdated from `updateInterestRates`, after `updateState` has moved the
 * indexes to the current block, and before the balance event of the same action: the indexes it
 * carries are the ones the following mint or burn uses.
 */
export function handleReserveDataUpdated(event: ReserveDataUpdated): void {
  let p = event.params;
  let protocol = getProtocol(event);
  getMarket(p.reserve, event, protocol);
  let reserve = LendingReserve.load(p.reserve)!;
  reserve.liquidityRate = p.liquidityRate;
  reserve.stableBorrowRate = p.stableBorrowRate;
  reserve.variableBorrowRate = p.variableBorrowRate;
  reserve.liquidityIndex = p.liquidityIndex;
  reserve.variableBorrowIndex = p.variableBorrowIndex;
  reserve.lastUpdateBlockNumber = event.block.number;
  reserve.lastUpdateTimestamp = event.block.timestamp;
  reserve.save();
  revalueReserve(p.reserve, event);
  finish(protocol, event);
}

/** aTokens are minted to `onBehalfOf` (the `user` is who paid, e.g. a gateway). */
export function handleSupply(event: Supply): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let change = new Change(p.reserve, p.onBehalfOf, event, protocol);
  change.supply(p.amount);
  change.save(event, protocol);
  finish(protocol, event);
}

/** aTokens are burned from `user`; the event carries the amount actually withdrawn. */
export function handleWithdraw(event: Withdraw): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let change = new Change(p.reserve, p.user, event, protocol);
  change.supply(p.amount.neg());
  change.save(event, protocol);
  finish(protocol, event);
}

/** Debt tokens are minted to `onBehalfOf`. */
export function handleBorrow(event: Borrow): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let change = new Change(p.reserve, p.onBehalfOf, event, protocol);
  if (p.interestRateMode == STABLE_MODE) change.stableDebt(p.amount);
  else change.variableDebt(p.amount);
  change.save(event, protocol);
  finish(protocol, event);
}

/**
 * Debt tokens of `user` are burned; with `useATokens` the repayment is paid with the user's
 * aTokens, which are burned too (Pool.repayWithATokens).
 */
export function handleRepay(event: Repay): void {
  let p = event.params;
  let protocol = getProtocol(event);
  let change = new Change(p.reserve, p.user, event, protocol);
  change.reduceDebt(p.amount);
  if (p.useATokens) change.supply(p.amount.neg());
  change.save(event, protocol);
  finish(protocol, event);
}

export function handleReserveUsedAsCollateralEnabled(event: ReserveUsedAsCollateralEnabled): void {
  let protocol = getProtocol(event);
  let change = new Change(event.params.reserve, event.params.user, event, protocol);
  change.setCollateral(true);
  change.save(event, protocol);
  finish(protocol, event);
}

export function handleReserveUsedAsCollateralDisabled(event: ReserveUsedAsCollateralDisabled): void {
  let protocol = getProtocol(event);
  let change = new Change(event.params.reserve, event.params.user, event, protocol);
  change.setCollateral(false);
  change.save(event, protocol);
  finish(protocol, event);
}

/**
 * The user's debt in `debtAsset` falls by `debtToCover`; their aTokens of `collateralAsset` fall by
 * `liquidatedCollateralAmount` (burned, or transferred to the liquidator with `receiveAToken`).
 * The protocol's fee on the bonus (moved to the treasury as aTokens) is not in the event and is
 * not subtracted (docs/methodology.md).
 */
export function handleLiquidationCall(event: LiquidationCall): void {
  let p = event.params;
  let protocol = getProtocol(event);

  let debt = new Change(p.debtAsset, p.user, event, protocol);
  debt.reduceDebt(p.debtToCover);
  debt.save(event, protocol);

  let collateral = new Change(p.collateralAsset, p.user, event, protocol);
  collateral.supply(p.liquidatedCollateralAmount.neg());
  collateral.save(event, protocol);

  if (p.receiveAToken) {
    let received = new Change(p.collateralAsset, p.liquidator, event, protocol);
    received.supply(p.liquidatedCollateralAmount);
    received.save(event, protocol);
  }

  let debtToken = Token.load(p.debtAsset)!;
  let collateralToken = Token.load(p.collateralAsset)!;
  let debtUSD = amountUSD(debtToken, p.debtToCover);
  let collateralUSD = amountUSD(collateralToken, p.liquidatedCollateralAmount);

  let liquidation = new Liquidation(event.transaction.hash.concatI32(event.logIndex.toI32()));
  liquidation.protocol = protocol.id;
  liquidation.market = p.debtAsset;
  liquidation.account = p.user;
  liquidation.liquidator = p.liquidator;
  liquidation.side = 'BORROWER';
  liquidation.sizeUSD = debtUSD === null ? BigInt.zero().toBigDecimal() : debtUSD;
  liquidation.collateralUSD = collateralUSD === null ? BigInt.zero().toBigDecimal() : collateralUSD;
  liquidation.priced = debtUSD !== null && collateralUSD !== null;
  liquidation.collateralToken = p.collateralAsset;
  liquidation.collateralAmount = p.liquidatedCollateralAmount;
  liquidation.debtAmount = p.debtToCover;
  liquidation.blockNumber = event.block.number;
  liquidation.timestamp = event.block.timestamp;
  liquidation.transactionHash = event.transaction.hash;
  liquidation.logIndex = event.logIndex;
  liquidation.save();

  let account = getAccount(p.user, event, protocol);
  account.liquidationCount = account.liquidationCount + 1;
  account.save();
  let market = Market.load(p.debtAsset)!;
  market.cumulativeLiquidationCount = market.cumulativeLiquidationCount + 1;
  market.save();
  protocol.cumulativeLiquidationCount = protocol.cumulativeLiquidationCount + 1;
  revalueReserve(p.debtAsset, event);
  finish(protocol, event);
  if (debtUSD === null || collateralUSD === null) {
    log.info('aave-v3: liquidation {} valued without a price for one of its tokens', [liquidation.id.toHexString()]);
  }
}
