/**
 * Compiles a Portfolio into arrays indexed by asset and venue, so that the
 * other functions evaluate positions at a vector of price factors
 * (factor = price after / current price) without looking names up.
 *
 * Money: every USD amount as the digits of its Decimal at one shared scale
 * (money.ts), with a float beside it for decisions (is this position
 * liquidatable?) and statistics; reported figures come from the digits.
 *
 * Every quantity of a position is affine in the factors:
 *   perp   obligation(f) = S f_a                 (S = reported size, USD)
 *          pnl(f)        = +-(N f_a - S)          (+ long, - short; N = S x current / entry price)
 *          equity(f)     = C f_c + pnl(f)         (C = collateral, c = collateral asset)
 *          liquidatable  f_a <= L (long) or f_a >= L (short), L = liquidation price / current price
 *   lending collateral(f) = sum c_i f_i, weighted(f) = sum c_i LT_i f_i, debt(f) = sum d_j f_j
 *          equity(f)     = collateral(f) - debt(f)
 *          liquidatable  debt > 0 and weighted(f) < debt(f)   (health factor < 1)
 *
 * A position already liquidatable at current prices is `pending`: the venue
 * has not liquidated it yet. Stress scenarios carry it as it is (its value
 * moves with prices; it is not liquidated), so that a scenario with no move
 * is exactly the present, and report how many there are.
 */
import { Decimal } from '../numeric/decimal';
import { badInput, RiskError } from './errors';
import { FACTOR_SCALE, mulDiv, toDigits } from './money';
import type { CollateralModel } from './solvency';
import { venueKey, type Portfolio, type Venue, type VenueKey } from './types';

/** Relative tolerance so that a move landing exactly on a liquidation price counts as liquidating. */
export const TRIGGER_TOLERANCE = 1e-12;

/** Index meaning "USD itself": a factor of 1 that never moves. */
export const USD = -1;

export interface CompiledPerp {
  position: number;
  venue: number;
  asset: number;
  collateralAsset: number;
  long: boolean;
  /** Reported size (digits at the portfolio's scale). */
  size: bigint;
  collateral: bigint;
  /** size x current price / entry price: the position's notional now. */
  notional: bigint;
  /** Liquidation price / current price. */
  liquidationFactor: number;
  /** Already liquidatable at current prices. */
  pending: boolean;
  sizeF: number;
  collateralF: number;
  notionalF: number;
}

export interface CompiledTerm {
  asset: number;
  value: bigint;
  valueF: number;
  /** Liquidation threshold (collateral only; 0 for debt). */
  threshold: number;
  /** Liquidation bonus (collateral only; 0 for debt). */
  bonus: number;
}

export interface CompiledLending {
  position: number;
  venue: number;
  collateral: CompiledTerm[];
  debt: CompiledTerm[];
  /** Collateral-weighted liquidation bonus, as a float and in parts per billion. */
  bonus: number;
  bonusPpb: bigint;
  pending: boolean;
}

export interface CompiledPool {
  venue: number;
  holdings: CompiledTerm[];
}

export interface CompiledPortfolio {
  /** Decimal places of every money digit in this portfolio. */
  scale: number;
  assetNames: string[];
  assetIndex: Map<string, number>;
  /** Not a stablecoin: moved by a market-wide shock. */
  volatile: boolean[];
  /** -2% depth in USD as a float, or 0 for "no price impact". */
  depthF: number[];
  /** Venue that issues each asset (asset table's issuedBy), or null. */
  issuers: (VenueKey | null)[];
  venues: Venue[];
  venueKeys: VenueKey[];
  models: CollateralModel[];
  /** Each venue's headline backing and obligations now (digits at `scale`). */
  headlineBacking: bigint[];
  headlineObligations: bigint[];
  /** Account of each input position, by input index. */
  accounts: string[];
  perps: CompiledPerp[];
  lending: CompiledLending[];
  pools: CompiledPool[];
}

function assetOf(index: Map<string, number>, name: string, where: string): number {
  const i = index.get(name);
  if (i === undefined) {
    throw new RiskError('RISK_UNKNOWN_ASSET', `${where} names asset "${name}", which the asset table lacks; add its price`);
  }
  return i;
}

function checkFraction(value: number, what: string, max: number): void {
  if (!Number.isFinite(value) || value < 0 || value > max) throw badInput(`${what} is ${value}; expected a fraction in [0, ${max}]`);
}

/**
 * The perp's liquidation factor. Given a liquidation price, L = liquidationPrice / currentPrice.
 * Otherwise from maintenance margin m (equity <= m x notional), with collateral in USD or another asset:
 *   long  L = (S - C) / (N (1 - m))      short L = (S + C) / (N (1 + m))
 * and with collateral in the position's own asset (it moves with f):
 *   long  L = S / (C + N (1 - m))        short L = S / (N (1 + m) - C)   (never, if the denominator <= 0)
 */
function liquidationFactorOf(
  perp: { long: boolean; sizeF: number; collateralF: number; notionalF: number; sameAssetCollateral: boolean },
  liquidationPrice: Decimal | undefined,
  currentPrice: Decimal,
  maintenanceMarginRate: number | undefined,
): number {
  if (liquidationPrice !== undefined) return liquidationPrice.toNumber() / currentPrice.toNumber();
  const m = maintenanceMarginRate ?? 0;
  const { sizeF: S, collateralF: C, notionalF: N } = perp;
  if (perp.sameAssetCollateral) {
    if (perp.long) return S / (C + N * (1 - m));
    const denominator = N * (1 + m) - C;
    return denominator > 0 ? S / denominator : Number.POSITIVE_INFINITY;
  }
  return perp.long ? (S - C) / (N * (1 - m)) : (S + C) / (N * (1 + m));
}

/** The largest scale of any money amount in the portfolio: every amount converts to it exactly. */
function moneyScale(portfolio: Portfolio): number {
  let scale = 0;
  const see = (d: Decimal | undefined) => {
    if (d !== undefined && d.scale > scale) scale = d.scale;
  };
  for (const p of portfolio.positions) {
    if (p.kind === 'perp') {
      see(p.sizeUsd);
      see(p.collateralUsd);
    } else {
      for (const t of p.collateral) see(t.valueUsd);
      for (const t of p.debt) see(t.valueUsd);
    }
  }
  for (const pool of portfolio.pools ?? []) for (const h of pool.holdings) see(h.valueUsd);
  for (const v of portfolio.venues ?? []) {
    see(v.backingUsd);
    see(v.obligationsUsd);
  }
  return scale;
}

export function compilePortfolio(portfolio: Portfolio): CompiledPortfolio {
  const scale = moneyScale(portfolio);
  const digits = (d: Decimal) => toDigits(d, scale);
  const float = (d: Decimal) => d.toNumber();
  const assetNames = Object.keys(portfolio.assets).sort();
  const assetIndex = new Map(assetNames.map((name, i) => [name, i]));
  const volatile: boolean[] = [];
  const depthF: number[] = [];
  for (const name of assetNames) {
    const params = portfolio.assets[name]!;
    if (!params.price.isPositive()) throw badInput(`asset ${name} has price ${params.price}; prices must be > 0`);
    if (params.depthUsd !== undefined && params.depthUsd.isNegative()) throw badInput(`asset ${name} has negative depthUsd`);
    volatile.push(!params.stable);
    depthF.push(params.depthUsd === undefined ? 0 : float(params.depthUsd));
  }
  const venues: Venue[] = [];
  const venueKeys: VenueKey[] = [];
  const models: (CollateralModel | null)[] = [];
  const venueIndex = new Map<VenueKey, number>();
  const venueOf = (venue: Venue): number => {
    const key = venueKey(venue);
    let i = venueIndex.get(key);
    if (i === undefined) {
      i = venues.length;
      venueIndex.set(key, i);
      venues.push({ protocol: venue.protocol, network: venue.network });
      venueKeys.push(key);
      models.push(null);
    }
    return i;
  };
  const books = (portfolio.venues ?? []).map((book) => {
    const v = venueOf(book.venue);
    models[v] = book.model;
    return { v, book };
  });
  const term = (asset: string, valueUsd: Decimal, threshold: number, bonus: number, where: string): CompiledTerm => {
    if (valueUsd.isNegative()) throw badInput(`${where}: valueUsd of ${asset} is negative`);
    return { asset: assetOf(assetIndex, asset, where), value: digits(valueUsd), valueF: float(valueUsd), threshold, bonus };
  };

  const perps: CompiledPerp[] = [];
  const lending: CompiledLending[] = [];
  const now = new Float64Array(assetNames.length).fill(1);
  portfolio.positions.forEach((position, i) => {
    const where = `position ${i} (${position.account})`;
    if (position.kind === 'perp') {
      const asset = assetOf(assetIndex, position.asset, where);
      const collateralAsset = position.collateralAsset === undefined ? USD : assetOf(assetIndex, position.collateralAsset, where);
      if (position.sizeUsd.isNegative() || position.collateralUsd.isNegative()) throw badInput(`${where}: sizeUsd and collateralUsd must be >= 0`);
      if (!position.entryPrice.isPositive()) throw badInput(`${where}: entryPrice must be > 0`);
      if (position.maintenanceMarginRate !== undefined) checkFraction(position.maintenanceMarginRate, `${where}: maintenanceMarginRate`, 1);
      const currentPrice = portfolio.assets[position.asset]!.price;
      const size = digits(position.sizeUsd);
      // N = S x current / entry, truncated at the portfolio's scale (prices at 18 decimals).
      const notional = mulDiv(size, currentPrice.scaledTo(18), position.entryPrice.scaledTo(18));
      const long = position.side === 'long';
      const shape = {
        long,
        sizeF: float(position.sizeUsd),
        collateralF: float(position.collateralUsd),
        notionalF: float(position.sizeUsd) * (currentPrice.toNumber() / position.entryPrice.toNumber()),
        sameAssetCollateral: collateralAsset === asset,
      };
      const liquidationFactor = liquidationFactorOf(shape, position.liquidationPrice, currentPrice, position.maintenanceMarginRate);
      perps.push({
        position: i,
        venue: venueOf(position.venue),
        asset,
        collateralAsset,
        long,
        size,
        collateral: digits(position.collateralUsd),
        notional,
        liquidationFactor,
        pending: long ? 1 <= liquidationFactor * (1 + TRIGGER_TOLERANCE) : 1 >= liquidationFactor * (1 - TRIGGER_TOLERANCE),
        sizeF: shape.sizeF,
        collateralF: shape.collateralF,
        notionalF: shape.notionalF,
      });
    } else {
      const collateral = position.collateral.map((c) => {
        checkFraction(c.liquidationThreshold, `${where}: liquidationThreshold of ${c.asset}`, 1);
        checkFraction(c.liquidationBonus, `${where}: liquidationBonus of ${c.asset}`, 1);
        return term(c.asset, c.valueUsd, c.liquidationThreshold, c.liquidationBonus, where);
      });
      const debt = position.debt.map((d) => term(d.asset, d.valueUsd, 0, 0, where));
      let value = 0;
      let weighted = 0;
      for (const t of collateral) {
        value += t.valueF;
        weighted += t.valueF * t.bonus;
      }
      const bonus = value > 0 ? weighted / value : 0;
      const account: CompiledLending = { position: i, venue: venueOf(position.venue), collateral, debt, bonus, bonusPpb: BigInt(Math.round(bonus * 1e9)), pending: false };
      account.pending = lendingLiquidatableF(account, now);
      lending.push(account);
    }
  });
  const pools = (portfolio.pools ?? []).map((pool, i) => ({
    venue: venueOf(pool.venue),
    holdings: pool.holdings.map((h) => term(h.asset, h.valueUsd, 0, 0, `pool ${i}`)),
  }));
  const issuers = assetNames.map((name) => {
    const issuedBy = portfolio.assets[name]!.issuedBy;
    return issuedBy ? venueKey(issuedBy) : null;
  });
  const accounts = portfolio.positions.map((p) => p.account);

  // A venue without a stated model: a pool makes it SHARED_POOL, perps without one TRADER_MARGIN, borrowers lending.
  const hasPool = new Set(pools.map((p) => p.venue));
  const hasPerps = new Set(perps.map((p) => p.venue));
  const resolvedModels = models.map((m, v): CollateralModel => m ?? (hasPool.has(v) ? 'SHARED_POOL' : hasPerps.has(v) ? 'TRADER_MARGIN' : 'OVERCOLLATERALIZED_LENDING'));
  const backing = venues.map(() => 0n);
  const obligations = venues.map(() => 0n);
  for (const p of perps) {
    obligations[p.venue]! += p.size;
    // In a pool model traders' collateral sits inside the pool: counted once, with the pool.
    if (resolvedModels[p.venue] === 'TRADER_MARGIN') backing[p.venue]! += p.collateral;
  }
  for (const a of lending) {
    for (const t of a.collateral) backing[a.venue]! += t.value;
    for (const t of a.debt) obligations[a.venue]! += t.value;
  }
  for (const pool of pools) for (const h of pool.holdings) backing[pool.venue]! += h.value;
  for (const { v, book } of books) {
    if (book.backingUsd !== undefined) backing[v] = digits(book.backingUsd);
    if (book.obligationsUsd !== undefined) obligations[v] = digits(book.obligationsUsd);
  }
  return {
    scale,
    assetNames,
    assetIndex,
    volatile,
    depthF,
    issuers,
    accounts,
    venues,
    venueKeys,
    models: resolvedModels,
    headlineBacking: backing,
    headlineObligations: obligations,
    perps,
    lending,
    pools,
  };
}

/** Factor of an asset index, USD (-1) being always 1. */
export function factorAt(factors: ArrayLike<number>, asset: number): number {
  return asset === USD ? 1 : factors[asset]!;
}

export function ppbAt(factorsPpb: readonly bigint[], asset: number): bigint {
  return asset === USD ? FACTOR_SCALE : factorsPpb[asset]!;
}

// ---- floats, for decisions and statistics ----

export function perpEquityF(p: CompiledPerp, f: ArrayLike<number>): number {
  const pnl = p.notionalF * f[p.asset]! - p.sizeF;
  return p.collateralF * factorAt(f, p.collateralAsset) + (p.long ? pnl : -pnl);
}

export function perpLiquidatableF(p: CompiledPerp, f: ArrayLike<number>): boolean {
  const x = f[p.asset]!;
  return p.long ? x <= p.liquidationFactor * (1 + TRIGGER_TOLERANCE) : x >= p.liquidationFactor * (1 - TRIGGER_TOLERANCE);
}

export function sumTermsF(terms: CompiledTerm[], f: ArrayLike<number>, weighted = false): number {
  let total = 0;
  for (const t of terms) total += t.valueF * f[t.asset]! * (weighted ? t.threshold : 1);
  return total;
}

/** Collateral at its liquidation value (over 1 + bonus) less debt: negative by the bad debt a full liquidation leaves. */
export function lendingBadDebtEquityF(a: CompiledLending, f: ArrayLike<number>): number {
  return sumTermsF(a.collateral, f) / (1 + a.bonus) - sumTermsF(a.debt, f);
}

/** Health factor below 1: weighted collateral under debt (Aave: liquidatable when HF < 1). */
export function lendingLiquidatableF(a: CompiledLending, f: ArrayLike<number>): boolean {
  const debt = sumTermsF(a.debt, f);
  return debt > 0 && sumTermsF(a.collateral, f, true) < debt * (1 - TRIGGER_TOLERANCE);
}

// ---- exact money at factors given in parts per billion: digits at scale + 9 ----

/** An amount that does not move, at the tally's scale. */
export function fixedExact(amount: bigint): bigint {
  return amount * FACTOR_SCALE;
}

export function perpObligationExact(p: CompiledPerp, fPpb: readonly bigint[]): bigint {
  return p.size * fPpb[p.asset]!;
}

export function perpCollateralExact(p: CompiledPerp, fPpb: readonly bigint[]): bigint {
  return p.collateral * ppbAt(fPpb, p.collateralAsset);
}

/** Traders' PnL since entry in USD (positive: the trader gains). */
export function perpPnlExact(p: CompiledPerp, fPpb: readonly bigint[]): bigint {
  const pnl = p.notional * fPpb[p.asset]! - fixedExact(p.size);
  return p.long ? pnl : -pnl;
}

export function perpEquityExact(p: CompiledPerp, fPpb: readonly bigint[]): bigint {
  return perpCollateralExact(p, fPpb) + perpPnlExact(p, fPpb);
}

export function sumTermsExact(terms: CompiledTerm[], fPpb: readonly bigint[]): bigint {
  let total = 0n;
  for (const t of terms) total += t.value * fPpb[t.asset]!;
  return total;
}

export function factorsToPpb(factors: ArrayLike<number>): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < factors.length; i++) out.push(BigInt(Math.round(factors[i]! * 1e9)));
  return out;
}
