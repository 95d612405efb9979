/**
 * GMX v1 on the demo chain: a model of the Vault (gmx-io/gmx-contracts
 * `contracts/core/Vault.sol`, as described in docs/methodology.md and
 * ../shared/reference/protocols.md) driven by synthetic liquidity providers,
 * traders and a liquidation keeper, emitting the Vault's events in the order the
 * Vault emits them, encoded from subgraph/gmx-v1/abis/Vault.json at the real Vault
 * address of each network.
 *
 * Modelled (integer USD x 10^30 and token units, as the Vault):
 * - buyUSDG / sellUSDG (liquidity added / removed): IncreasePoolAmount / DecreasePoolAmount.
 * - increasePosition: IncreaseReservedAmount, (longs) Increase/DecreaseGuaranteedUsd,
 *   Increase/DecreasePoolAmount, then IncreasePosition and UpdatePosition.
 * - decreasePosition: DecreaseReservedAmount, the pool moves of `_reduceCollateral`,
 *   (longs) Increase/DecreaseGuaranteedUsd, DecreasePosition, then UpdatePosition (partial)
 *   or ClosePosition (full), then (longs) DecreasePoolAmount of the amount paid out.
 * - liquidatePosition: `validateLiquidation` state 1 -> DecreaseReservedAmount,
 *   (longs) DecreaseGuaranteedUsd and DecreasePoolAmount (margin fees), LiquidatePosition,
 *   (shorts) IncreasePoolAmount (remaining collateral), DecreasePoolAmount (liquidation fee);
 *   state 2 (max leverage exceeded) -> a full `_decreasePosition`.
 * - Requires that revert in the Vault (reserve exceeds pool, fees or losses exceed
 *   collateral, max leverage, pool amount exceeded) make the action revert: no events.
 *
 * Left out (documented in server/demo/README.md): events the subgraph's ABI does not carry
 * (CollectMarginFees, UpdatePnl, USDG amounts, BuyUSDG/SellUSDG, UpdateFundingRate, swaps);
 * funding (borrow) fees: the cumulative funding rate stays 0, so the liquidation rule is the
 * one the subgraph's liquidation price states exactly; minProfitTime; global short sizes.
 */
import { parseAbiItem, keccak256, type AbiEvent, type Hex } from 'viem';
import { SeededRandom } from '../numeric/random';
import { CLOCKS, type DemoTx, type EmittedEvent } from './chain';
import type { Asset, PricePaths } from './prices';
import { demoToken, type DemoToken } from './tokens';

export const PRICE_PRECISION = 10n ** 30n;
const BASIS_POINTS_DIVISOR = 10000n;
/** Vault parameters, as the subgraph states them (docs/methodology.md, "Liquidation price"). */
export const MARGIN_FEE_BASIS_POINTS = 10n;
export const LIQUIDATION_FEE_USD = 5n * PRICE_PRECISION;
export const MAX_LEVERAGE = 100n * 10000n;
/** Positions open at up to 50x (GMX's MAX_ALLOWED_LEVERAGE). */
const MAX_OPEN_LEVERAGE = 50;
/** Oracle spread on volatile tokens: max price = p x (1 + s), min price = p x (1 - s). */
const SPREAD_BASIS_POINTS = 2n;

/** The default activity (before --scale): trader actions per day and network. */
export const ACTIONS_PER_DAY = 1500;
/** Open positions around which the traders' opening and closing balance (times --scale). */
export const TARGET_OPEN_POSITIONS = 600;
/**
 * Median collateral of a new position, USD, per network: with TARGET_OPEN_POSITIONS and the
 * leverage drawn below it sets the open interest against the pool (README.md, "Magnitudes":
 * pool value about three times open interest).
 */
export const MEDIAN_COLLATERAL_USD: Record<string, number> = { 'arbitrum-one': 14_000, avalanche: 1_800 };

export const VAULT: Record<string, string> = {
  'arbitrum-one': '0x489ee077994b6658eafa855c308275ead8097c4a',
  avalanche: '0x9ab2de34a33fb459b538c43f251eb825645e8595',
};

export interface VaultToken extends DemoToken {
  /** Initial pool, USD. */
  poolUsd: number;
}

const vaultToken = (network: string, address: string, poolUsd: number): VaultToken => ({ ...demoToken(network, address), poolUsd });

/** Vault tokens per network and their initial pools; symbol, decimals and price path from subgraph/common/tokens.ts. */
export const VAULT_TOKENS: Record<string, VaultToken[]> = {
  'arbitrum-one': [
    vaultToken('arbitrum-one', '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', 150e6), // WETH
    vaultToken('arbitrum-one', '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', 110e6), // WBTC
    vaultToken('arbitrum-one', '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', 8e6), // LINK
    vaultToken('arbitrum-one', '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', 80e6), // USDC.e
    vaultToken('arbitrum-one', '0xaf88d065e77c8cc2239327c5edb3a432268e5831', 50e6), // USDC
    vaultToken('arbitrum-one', '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', 15e6), // USDT
    vaultToken('arbitrum-one', '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1', 10e6), // DAI
  ],
  avalanche: [
    vaultToken('avalanche', '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7', 15e6), // WAVAX
    vaultToken('avalanche', '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab', 8e6), // WETH.e
    vaultToken('avalanche', '0x152b9d0fdc40c096757f570a51e494bd4b943e50', 8e6), // BTC.b
    vaultToken('avalanche', '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e', 15e6), // USDC
    vaultToken('avalanche', '0xa7d7079b0fead91f3e65f86e8915cb59c1a4c664', 3e6), // USDC.e
  ],
};

/** The Vault's events, as subgraph/gmx-v1/abis/Vault.json declares them. */
export const VAULT_EVENTS = {
  IncreasePosition: parseAbiItem('event IncreasePosition(bytes32 key, address account, address collateralToken, address indexToken, uint256 collateralDelta, uint256 sizeDelta, bool isLong, uint256 price, uint256 fee)'),
  DecreasePosition: parseAbiItem('event DecreasePosition(bytes32 key, address account, address collateralToken, address indexToken, uint256 collateralDelta, uint256 sizeDelta, bool isLong, uint256 price, uint256 fee)'),
  LiquidatePosition: parseAbiItem('event LiquidatePosition(bytes32 key, address account, address collateralToken, address indexToken, bool isLong, uint256 size, uint256 collateral, uint256 reserveAmount, int256 realisedPnl, uint256 markPrice)'),
  UpdatePosition7: parseAbiItem('event UpdatePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl)'),
  UpdatePosition8: parseAbiItem('event UpdatePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl, uint256 markPrice)'),
  ClosePosition: parseAbiItem('event ClosePosition(bytes32 key, uint256 size, uint256 collateral, uint256 averagePrice, uint256 entryFundingRate, uint256 reserveAmount, int256 realisedPnl)'),
  IncreasePoolAmount: parseAbiItem('event IncreasePoolAmount(address token, uint256 amount)'),
  DecreasePoolAmount: parseAbiItem('event DecreasePoolAmount(address token, uint256 amount)'),
  IncreaseReservedAmount: parseAbiItem('event IncreaseReservedAmount(address token, uint256 amount)'),
  DecreaseReservedAmount: parseAbiItem('event DecreaseReservedAmount(address token, uint256 amount)'),
  IncreaseGuaranteedUsd: parseAbiItem('event IncreaseGuaranteedUsd(address token, uint256 amount)'),
  DecreaseGuaranteedUsd: parseAbiItem('event DecreaseGuaranteedUsd(address token, uint256 amount)'),
} satisfies Record<string, AbiEvent>;

/** Which UpdatePosition the network's Vault emits: Arbitrum 7 arguments, Avalanche 8 (with markPrice). */
export const UPDATE_POSITION_WITH_MARK_PRICE: Record<string, boolean> = { 'arbitrum-one': false, avalanche: true };

/** Vault.getPositionKey: keccak256(abi.encodePacked(account, collateralToken, indexToken, isLong)). */
export function positionKey(account: string, collateralToken: string, indexToken: string, isLong: boolean): Hex {
  return keccak256(`0x${account.slice(2)}${collateralToken.slice(2)}${indexToken.slice(2)}${isLong ? '01' : '00'}`);
}

interface Position {
  key: Hex;
  account: string;
  collateralToken: VaultToken;
  indexToken: VaultToken;
  isLong: boolean;
  size: bigint;
  collateral: bigint;
  averagePrice: bigint;
  entryFundingRate: bigint;
  reserveAmount: bigint;
  realisedPnl: bigint;
  /** Where the keeper looks first: a float guess of the price of liquidation (confirmed exactly). */
  trigger: number;
}

class Revert extends Error {}

function ensure(condition: boolean, reason: string): void {
  if (!condition) throw new Revert('Vault: ' + reason);
}

/** Liquidation state of `validateLiquidation` (0 fine, 1 liquidate, 2 max leverage exceeded) and the margin fees. */
export function validateLiquidation(
  p: { size: bigint; collateral: bigint; averagePrice: bigint; isLong: boolean },
  markPrice: bigint,
): { state: 0 | 1 | 2; marginFees: bigint } {
  const { hasProfit, delta } = getDelta(p.size, p.averagePrice, p.isLong, markPrice);
  // Funding fee: 0 (the demo's cumulative funding rate stays 0).
  const marginFees = getPositionFee(p.size);
  if (!hasProfit && p.collateral < delta) return { state: 1, marginFees };
  const remaining = hasProfit ? p.collateral : p.collateral - delta;
  if (remaining < marginFees) return { state: 1, marginFees: remaining };
  if (remaining < marginFees + LIQUIDATION_FEE_USD) return { state: 1, marginFees };
  if (remaining * MAX_LEVERAGE < p.size * BASIS_POINTS_DIVISOR) return { state: 2, marginFees };
  return { state: 0, marginFees };
}

/** Vault.getDelta at the given price (min price for longs, max for shorts); minProfitTime not modelled. */
export function getDelta(size: bigint, averagePrice: bigint, isLong: boolean, price: bigint): { hasProfit: boolean; delta: bigint } {
  const priceDelta = averagePrice > price ? averagePrice - price : price - averagePrice;
  const delta = (size * priceDelta) / averagePrice;
  const hasProfit = isLong ? price > averagePrice : averagePrice > price;
  return { hasProfit, delta };
}

export function getPositionFee(sizeDelta: bigint): bigint {
  if (sizeDelta === 0n) return 0n;
  const afterFee = (sizeDelta * (BASIS_POINTS_DIVISOR - MARGIN_FEE_BASIS_POINTS)) / BASIS_POINTS_DIVISOR;
  return sizeDelta - afterFee;
}

export interface GmxRunOptions {
  network: string;
  seed: number;
  paths: PricePaths;
  /** Activity multiplier: traders and trades per day. */
  scale: number;
}

export interface GmxRunStats {
  actions: number;
  reverted: number;
  liquidations: number;
  maxLeverageCloses: number;
}

export function simulateGmx(options: GmxRunOptions): { txs: DemoTx[]; stats: GmxRunStats } {
  const { network, paths, scale } = options;
  const vault = VAULT[network];
  const tokens = VAULT_TOKENS[network];
  if (!vault || !tokens || !CLOCKS[network] || !MEDIAN_COLLATERAL_USD[network]) throw new Error(`gmx-v1 demo: no Vault configured for network ${network}`);
  const withMarkPrice = UPDATE_POSITION_WITH_MARK_PRICE[network];
  const random = new SeededRandom((options.seed * 2654435761) ^ (network === 'avalanche' ? 0xa7a1 : 0xa4b1));
  const volatile = tokens.filter((t) => t.asset !== null);
  const stables = tokens.filter((t) => t.asset === null);

  // ---- Vault state
  const pool = new Map<string, bigint>();
  const reserved = new Map<string, bigint>();
  const guaranteed = new Map<string, bigint>();
  for (const t of tokens) {
    pool.set(t.address, 0n);
    reserved.set(t.address, 0n);
    guaranteed.set(t.address, 0n);
  }
  const positions = new Map<Hex, Position>();
  const openKeys: Hex[] = [];
  const openIndex = new Map<Hex, number>();
  const stats: GmxRunStats = { actions: 0, reverted: 0, liquidations: 0, maxLeverageCloses: 0 };

  let minute = 0;
  const basePrice = (t: VaultToken): bigint => {
    if (t.asset === null) return PRICE_PRECISION;
    return BigInt(Math.round(paths.prices[t.asset][minute] * 1e8)) * 10n ** 22n;
  };
  const maxPrice = (t: VaultToken) => (t.asset === null ? PRICE_PRECISION : (basePrice(t) * (BASIS_POINTS_DIVISOR + SPREAD_BASIS_POINTS)) / BASIS_POINTS_DIVISOR);
  const minPrice = (t: VaultToken) => (t.asset === null ? PRICE_PRECISION : (basePrice(t) * (BASIS_POINTS_DIVISOR - SPREAD_BASIS_POINTS)) / BASIS_POINTS_DIVISOR);
  const unit = (t: VaultToken) => 10n ** BigInt(t.decimals);
  const usdToTokenMin = (t: VaultToken, usd: bigint) => (usd * unit(t)) / maxPrice(t);
  const usdToTokenMax = (t: VaultToken, usd: bigint) => (usd * unit(t)) / minPrice(t);
  const tokenToUsdMin = (t: VaultToken, amount: bigint) => (amount * minPrice(t)) / unit(t);
  const usdFloat = (dollars: number) => BigInt(Math.round(dollars * 100)) * 10n ** 28n;

  // ---- one transaction's events, undone if the Vault would revert
  let events: EmittedEvent[] = [];
  const emit = (event: AbiEvent, ...args: unknown[]) => events.push({ event, args });
  const increasePool = (t: VaultToken, amount: bigint) => {
    pool.set(t.address, pool.get(t.address)! + amount);
    emit(VAULT_EVENTS.IncreasePoolAmount, t.address, amount);
  };
  const decreasePool = (t: VaultToken, amount: bigint) => {
    const next = pool.get(t.address)! - amount;
    ensure(next >= 0n, 'poolAmount exceeded');
    pool.set(t.address, next);
    emit(VAULT_EVENTS.DecreasePoolAmount, t.address, amount);
    ensure(reserved.get(t.address)! <= next, 'reserve exceeds pool');
  };
  const increaseReserved = (t: VaultToken, amount: bigint) => {
    const next = reserved.get(t.address)! + amount;
    reserved.set(t.address, next);
    ensure(next <= pool.get(t.address)!, 'reserve exceeds pool');
    emit(VAULT_EVENTS.IncreaseReservedAmount, t.address, amount);
  };
  const decreaseReserved = (t: VaultToken, amount: bigint) => {
    const next = reserved.get(t.address)! - amount;
    ensure(next >= 0n, 'insufficient reserve');
    reserved.set(t.address, next);
    emit(VAULT_EVENTS.DecreaseReservedAmount, t.address, amount);
  };
  const increaseGuaranteed = (t: VaultToken, amount: bigint) => {
    guaranteed.set(t.address, guaranteed.get(t.address)! + amount);
    emit(VAULT_EVENTS.IncreaseGuaranteedUsd, t.address, amount);
  };
  const decreaseGuaranteed = (t: VaultToken, amount: bigint) => {
    guaranteed.set(t.address, guaranteed.get(t.address)! - amount);
    emit(VAULT_EVENTS.DecreaseGuaranteedUsd, t.address, amount);
  };
  const emitUpdate = (p: Position, price: bigint) => {
    const args = [p.key, p.size, p.collateral, p.averagePrice, p.entryFundingRate, p.reserveAmount, p.realisedPnl];
    if (withMarkPrice) emit(VAULT_EVENTS.UpdatePosition8, ...args, price);
    else emit(VAULT_EVENTS.UpdatePosition7, ...args);
  };
  const setOpen = (p: Position, open: boolean) => {
    const at = openIndex.get(p.key);
    if (open && at === undefined) {
      openIndex.set(p.key, openKeys.length);
      openKeys.push(p.key);
    } else if (!open && at !== undefined) {
      const last = openKeys.pop()!;
      if (last !== p.key) {
        openKeys[at] = last;
        openIndex.set(last, at);
      }
      openIndex.delete(p.key);
    }
  };
  const refreshTrigger = (p: Position) => {
    // Price at which remaining collateral falls to max(fees + liquidation fee, size / maxLeverage).
    const size = Number(p.size / 10n ** 24n) / 1e6;
    const collateral = Number(p.collateral / 10n ** 24n) / 1e6;
    const avg = Number(p.averagePrice / 10n ** 22n) / 1e8;
    const threshold = Math.max(size * 0.001 + 5, size / 100);
    const move = (avg * (collateral - threshold)) / size;
    p.trigger = p.isLong ? avg - move : avg + move;
  };

  const txs: DemoTx[] = [];
  const transact = (second: number, order: number, action: () => void): boolean => {
    const saved = { pool: new Map(pool), reserved: new Map(reserved), guaranteed: new Map(guaranteed) };
    const touched = new Map<Hex, Position | undefined>();
    snapshotPosition = (key: Hex) => {
      if (!touched.has(key)) {
        const p = positions.get(key);
        touched.set(key, p ? { ...p } : undefined);
      }
    };
    events = [];
    try {
      action();
    } catch (e) {
      if (!(e instanceof Revert)) throw e;
      for (const [k, v] of saved.pool) pool.set(k, v);
      for (const [k, v] of saved.reserved) reserved.set(k, v);
      for (const [k, v] of saved.guaranteed) guaranteed.set(k, v);
      for (const [key, before] of touched) {
        const now = positions.get(key);
        if (before) {
          if (now) Object.assign(now, before);
          else positions.set(key, before);
          setOpen(positions.get(key)!, true);
        } else if (now) {
          setOpen(now, false);
          positions.delete(key);
        }
      }
      stats.reverted++;
      return false;
    }
    txs.push({ second, order, address: vault, events });
    return true;
  };
  let snapshotPosition: (key: Hex) => void = () => undefined;

  // ---- Vault functions
  const increasePosition = (account: string, collateralToken: VaultToken, indexToken: VaultToken, collateralAmount: bigint, sizeDelta: bigint, isLong: boolean) => {
    if (isLong) ensure(collateralToken === indexToken, 'mismatched tokens');
    else ensure(collateralToken.asset === null && indexToken.asset !== null, 'invalid tokens');
    const key = positionKey(account, collateralToken.address, indexToken.address, isLong);
    snapshotPosition(key);
    let p = positions.get(key);
    if (!p) {
      p = { key, account, collateralToken, indexToken, isLong, size: 0n, collateral: 0n, averagePrice: 0n, entryFundingRate: 0n, reserveAmount: 0n, realisedPnl: 0n, trigger: 0 };
      positions.set(key, p);
    }
    const price = isLong ? maxPrice(indexToken) : minPrice(indexToken);
    if (p.size === 0n) p.averagePrice = price;
    else if (sizeDelta > 0n) {
      // getNextAveragePrice: the next price over the next size adjusted by the current PnL.
      const { hasProfit, delta } = getDelta(p.size, p.averagePrice, isLong, isLong ? minPrice(indexToken) : maxPrice(indexToken));
      const nextSize = p.size + sizeDelta;
      const divisor = isLong ? (hasProfit ? nextSize + delta : nextSize - delta) : hasProfit ? nextSize - delta : nextSize + delta;
      p.averagePrice = (price * nextSize) / divisor;
    }
    const fee = getPositionFee(sizeDelta);
    const collateralDeltaUsd = tokenToUsdMin(collateralToken, collateralAmount);
    p.collateral += collateralDeltaUsd;
    ensure(p.collateral >= fee, 'insufficient collateral for fees');
    p.collateral -= fee;
    p.entryFundingRate = 0n;
    p.size += sizeDelta;
    ensure(p.size > 0n, 'invalid position.size');
    ensure(p.size >= p.collateral, '_size must be more than _collateral');
    const check = validateLiquidation(p, isLong ? minPrice(indexToken) : maxPrice(indexToken));
    ensure(check.state === 0, check.state === 2 ? 'maxLeverage exceeded' : 'losses exceed collateral');
    ensure(p.size * BASIS_POINTS_DIVISOR <= p.collateral * BigInt(MAX_OPEN_LEVERAGE) * BASIS_POINTS_DIVISOR, 'leverage above the router limit');
    const reserveDelta = usdToTokenMax(collateralToken, sizeDelta);
    p.reserveAmount += reserveDelta;
    increaseReserved(collateralToken, reserveDelta);
    if (isLong) {
      increaseGuaranteed(collateralToken, sizeDelta + fee);
      decreaseGuaranteed(collateralToken, collateralDeltaUsd);
      increasePool(collateralToken, collateralAmount);
      decreasePool(collateralToken, usdToTokenMin(collateralToken, fee));
    }
    emit(VAULT_EVENTS.IncreasePosition, key, account, collateralToken.address, indexToken.address, collateralDeltaUsd, sizeDelta, isLong, price, fee);
    emitUpdate(p, price);
    refreshTrigger(p);
    setOpen(p, true);
  };

  const decreasePosition = (key: Hex, collateralDelta: bigint, sizeDelta: bigint) => {
    snapshotPosition(key);
    const p = positions.get(key);
    ensure(p !== undefined && p.size > 0n, 'empty position');
    if (!p) return;
    ensure(p.size >= sizeDelta, 'position size exceeded');
    ensure(p.collateral >= collateralDelta, 'position collateral exceeded');
    const { collateralToken: ct, indexToken: it, isLong } = p;
    const collateral = p.collateral;
    const reserveDelta = (p.reserveAmount * sizeDelta) / p.size;
    p.reserveAmount -= reserveDelta;
    decreaseReserved(ct, reserveDelta);
    // _reduceCollateral
    const fee = getPositionFee(sizeDelta);
    const markPrice = isLong ? minPrice(it) : maxPrice(it);
    const { hasProfit, delta } = getDelta(p.size, p.averagePrice, isLong, markPrice);
    const adjustedDelta = (sizeDelta * delta) / p.size;
    let usdOut = 0n;
    if (hasProfit && adjustedDelta > 0n) {
      usdOut = adjustedDelta;
      p.realisedPnl += adjustedDelta;
      if (!isLong) decreasePool(ct, usdToTokenMin(ct, adjustedDelta));
    }
    if (!hasProfit && adjustedDelta > 0n) {
      ensure(p.collateral >= adjustedDelta, 'losses exceed collateral');
      p.collateral -= adjustedDelta;
      if (!isLong) increasePool(ct, usdToTokenMin(ct, adjustedDelta));
      p.realisedPnl -= adjustedDelta;
    }
    if (collateralDelta > 0n) {
      ensure(p.collateral >= collateralDelta, 'collateral exceeded');
      usdOut += collateralDelta;
      p.collateral -= collateralDelta;
    }
    if (p.size === sizeDelta) {
      usdOut += p.collateral;
      p.collateral = 0n;
    }
    let usdOutAfterFee = usdOut;
    if (usdOut > fee) usdOutAfterFee = usdOut - fee;
    else {
      ensure(p.collateral >= fee, 'fees exceed collateral');
      p.collateral -= fee;
      if (isLong) decreasePool(ct, usdToTokenMin(ct, fee));
    }
    if (p.size !== sizeDelta) {
      p.entryFundingRate = 0n;
      p.size -= sizeDelta;
      ensure(p.size >= p.collateral, '_size must be more than _collateral');
      const check = validateLiquidation(p, markPrice);
      ensure(check.state === 0, 'liquidation state after decrease');
      if (isLong) {
        increaseGuaranteed(ct, collateral - p.collateral);
        decreaseGuaranteed(ct, sizeDelta);
      }
      emit(VAULT_EVENTS.DecreasePosition, key, p.account, ct.address, it.address, collateralDelta, sizeDelta, isLong, markPrice, usdOut - usdOutAfterFee);
      emitUpdate(p, markPrice);
      refreshTrigger(p);
    } else {
      if (isLong) {
        increaseGuaranteed(ct, collateral);
        decreaseGuaranteed(ct, sizeDelta);
      }
      emit(VAULT_EVENTS.DecreasePosition, key, p.account, ct.address, it.address, collateralDelta, sizeDelta, isLong, markPrice, usdOut - usdOutAfterFee);
      emit(VAULT_EVENTS.ClosePosition, key, p.size, p.collateral, p.averagePrice, p.entryFundingRate, p.reserveAmount, p.realisedPnl);
      setOpen(p, false);
      positions.delete(key);
    }
    if (usdOut > 0n && isLong) decreasePool(ct, usdToTokenMin(ct, usdOut));
  };

  const liquidatePosition = (key: Hex): 0 | 1 | 2 => {
    snapshotPosition(key);
    const p = positions.get(key);
    if (!p) return 0;
    const { collateralToken: ct, indexToken: it, isLong } = p;
    const markPrice = isLong ? minPrice(it) : maxPrice(it);
    const { state, marginFees } = validateLiquidation(p, markPrice);
    ensure(state !== 0, 'position cannot be liquidated');
    if (state === 2) {
      decreasePosition(key, 0n, p.size);
      return 2;
    }
    decreaseReserved(ct, p.reserveAmount);
    if (isLong) {
      decreaseGuaranteed(ct, p.size - p.collateral);
      decreasePool(ct, usdToTokenMin(ct, marginFees));
    }
    emit(VAULT_EVENTS.LiquidatePosition, key, p.account, ct.address, it.address, isLong, p.size, p.collateral, p.reserveAmount, p.realisedPnl, markPrice);
    if (!isLong && marginFees < p.collateral) increasePool(ct, usdToTokenMin(ct, p.collateral - marginFees));
    setOpen(p, false);
    positions.delete(key);
    decreasePool(ct, usdToTokenMin(ct, LIQUIDATION_FEE_USD));
    return 1;
  };

  // ---- actors
  const medianCollateral = MEDIAN_COLLATERAL_USD[network];
  const traders = Array.from({ length: Math.max(20, Math.round(300 * scale)) }, (_, i) => keccak256(`0x${(0xd3e0 + i).toString(16).padStart(8, '0')}`).slice(0, 42));
  const lps = Array.from({ length: 8 }, (_, i) => i);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random.next() * items.length)];
  // Traders pick an index token in proportion to its pool, as the Vault's reserves bound each token's longs.
  const volatileWeights = volatile.map((t) => t.poolUsd);
  const volatileTotal = volatileWeights.reduce((a, b) => a + b, 0);
  const pickIndexToken = (): VaultToken => {
    let x = random.next() * volatileTotal;
    for (let i = 0; i < volatile.length; i++) if ((x -= volatileWeights[i]) < 0) return volatile[i];
    return volatile[volatile.length - 1];
  };
  const logNormal = (median: number, sigma: number) => median * Math.exp(sigma * random.normal());
  const poisson = (lambda: number) => {
    // Knuth's method; lambda is small (actions per minute).
    const limit = Math.exp(-lambda);
    let k = 0;
    let product = random.next();
    while (product > limit) {
      k++;
      product *= random.next();
    }
    return k;
  };
  const tokensFor = (t: VaultToken, usd: number) => {
    const price = Number(minPrice(t) / 10n ** 22n) / 1e8;
    const amount = usd / price;
    return BigInt(Math.floor(amount * 1e6)) * 10n ** BigInt(t.decimals) / 1_000_000n;
  };

  // Initial liquidity: the LPs buy USDG with every token in the first minutes.
  tokens.forEach((t, i) => {
    for (const lp of lps) {
      transact(10 + i * 8 + lp, 0, () => increasePool(t, tokensFor(t, (t.poolUsd * scale) / lps.length)));
    }
  });

  const actionsPerMinute = (ACTIONS_PER_DAY * scale) / (24 * 60);
  const targetOpen = Math.round(TARGET_OPEN_POSITIONS * scale);
  for (minute = 1; minute < paths.minutes; minute++) {
    const base = minute * 60;
    // The keeper first: every position the rule closes at this minute's price.
    const due: Hex[] = [];
    const spread = Number(SPREAD_BASIS_POINTS) / 10000;
    const floatPrice = new Map<VaultToken, number>(volatile.map((t) => [t, paths.prices[t.asset!][minute]]));
    for (const key of openKeys) {
      const p = positions.get(key)!;
      const price = floatPrice.get(p.indexToken)!;
      // A float pre-check with a margin, then the Vault's rule in integers.
      const near = p.isLong ? price * (1 - spread) <= p.trigger * 1.001 : price * (1 + spread) >= p.trigger * 0.999;
      if (near && validateLiquidation(p, p.isLong ? minPrice(p.indexToken) : maxPrice(p.indexToken)).state !== 0) due.push(key);
    }
    due.sort();
    due.forEach((key, i) => {
      const outcome = { state: 0 as 0 | 1 | 2 };
      if (transact(base + 1, i, () => (outcome.state = liquidatePosition(key)))) {
        if (outcome.state === 1) stats.liquidations++;
        if (outcome.state === 2) stats.maxLeverageCloses++;
      }
    });

    const count = poisson(actionsPerMinute);
    for (let a = 0; a < count; a++) {
      const second = base + 2 + Math.floor(random.next() * 58);
      const r = random.next();
      stats.actions++;
      // Traders open new positions while fewer than the target are open, else mostly trade the open ones.
      const opening = openKeys.length === 0 || (openKeys.length < targetOpen ? r < 0.4 : r < 0.2);
      if (opening) {
        const account = pick(traders);
        const indexToken = pickIndexToken();
        const isLong = random.next() < 0.55;
        const collateralToken = isLong ? indexToken : pick(stables);
        const collateralUsd = Math.min(170 * medianCollateral, Math.max(20, logNormal(medianCollateral, 1.3)));
        const leverage = Math.min(MAX_OPEN_LEVERAGE - 1, Math.max(1.2, logNormal(8, 0.7)));
        transact(second, 0, () => increasePosition(account, collateralToken, indexToken, tokensFor(collateralToken, collateralUsd), usdFloat(collateralUsd * leverage), isLong));
      } else if (r < 0.55) {
        const p = positions.get(pick(openKeys))!;
        const addUsd = Math.max(20, logNormal((2 / 3) * medianCollateral, 1));
        const collateralOnly = random.next() < 0.3;
        const sizeUsd = collateralOnly ? 0 : addUsd * Math.max(1.2, logNormal(6, 0.6));
        transact(second, 0, () => increasePosition(p.account, p.collateralToken, p.indexToken, tokensFor(p.collateralToken, addUsd), usdFloat(sizeUsd), p.isLong));
      } else if (r < 0.7) {
        const p = positions.get(pick(openKeys))!;
        const fraction = 0.2 + random.next() * 0.5;
        const sizeDelta = (p.size * BigInt(Math.round(fraction * 1000))) / 1000n;
        const collateralDelta = random.next() < 0.5 ? (p.collateral * BigInt(Math.round(fraction * 500))) / 1000n : 0n;
        transact(second, 0, () => decreasePosition(p.key, collateralDelta, sizeDelta));
      } else if (r < 0.93) {
        const p = positions.get(pick(openKeys))!;
        transact(second, 0, () => decreasePosition(p.key, 0n, p.size));
      } else {
        // Liquidity: an LP adds (buyUSDG, after a swap fee) or removes (sellUSDG) a slice of a pool.
        const t = pick(tokens);
        const usd = Math.max(1000, logNormal(100_000 * scale, 1));
        const feeBps = t.asset === null ? 4n : 30n;
        if (random.next() < 0.55) transact(second, 0, () => increasePool(t, (tokensFor(t, usd) * (BASIS_POINTS_DIVISOR - feeBps)) / BASIS_POINTS_DIVISOR));
        else transact(second, 0, () => decreasePool(t, tokensFor(t, usd)));
      }
    }
  }
  return { txs, stats };
}

