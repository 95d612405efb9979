/**
 * Compiles a Portfolio into arrays indexed by asset and venue, so that the
 * other functions evaluate positions at a vector of price factors
 * (factor = price after / current price) without looking names up.
 *
 * Every quantity of a position is affine in the factors:
 *   perp   notional(f)   = V f_a                  (V = sizeUsd x currentPrice / entryPrice)
 *          pnl(f)        = +-(V f_a - S)          (+ long, - short; S = sizeUsd)
 *          equity(f)     = C f_c + pnl(f)         (C = collateralUsd, c = collateral asset)
 *          liquidatable  f_a <= L (long) or f_a >= L (short), L = liquidationPrice / currentPrice
 *   lending collateral(f) = sum c_i f_i, weighted(f) = sum c_i LT_i f_i, debt(f) = sum d_j f_j
 *          equity(f)     = collateral(f) - debt(f)
 *          liquidatable  debt > 0 and weighted(f) <= debt(f)   (health factor <= 1)
 */
import { badInput, RiskError } from './errors';
import { FACTOR_SCALE, mulDiv, scaleByPpb, type MicroUsd } from './money';
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
  poolBacked: boolean;
  sizeUsd: MicroUsd;
  collateralUsd: MicroUsd;
  notionalUsd: MicroUsd;
  /** Liquidation price / current price. */
  liquidationFactor: number;
  sizeF: number;
  collateralF: number;
  notionalF: number;
}

export interface CompiledTerm {
  asset: number;
  valueUsd: MicroUsd;
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
}

export interface CompiledPool {
  venue: number;
  holdings: CompiledTerm[];
}

export interface CompiledPortfolio {
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
 *   long  L = (S - C) / (V (1 - m))      short L = (S + C) / (V (1 + m))
 * and with collateral in the position's own asset (it moves with f):
 *   long  L = S / (C + V (1 - m))        short L = S / (V (1 + m) - C)   (never, if the denominator <= 0)
 */
function liquidationFactorOf(
  perp: { long: boolean; sizeF: number; collateralF: number; notionalF: number; sameAssetCollateral: boolean },
  liquidationPrice: bigint | undefined,
  currentPrice: bigint,
  maintenanceMarginRate: number | undefined,
): number {
  if (liquidationPrice !== undefined) {
    return Number(liquidationPrice) / Number(currentPrice);
  }
  const m = maintenanceMarginRate ?? 0;
  const { sizeF: S, collateralF: C, notionalF: V } = perp;
  if (perp.sameAssetCollateral) {
    if (perp.long) return S / (C + V * (1 - m));
    const denominator = V * (1 + m) - C;
    return denominator > 0 ? S / denominator : Number.POSITIVE_INFINITY;
  }
  return perp.long ? (S - C) / (V * (1 - m)) : (S + C) / (V * (1 + m));
}

export function compilePortfolio(portfolio: Portfolio): CompiledPortfolio {
  const assetNames = Object.keys(portfolio.assets).sort();
  const assetIndex = new Map(assetNames.map((name, i) => [name, i]));
  const volatile: boolean[] = [];
  const depthF: number[] = [];
  for (const name of assetNames) {
    const params = portfolio.assets[name]!;
    if (params.price <= 0n) throw badInput(`asset ${name} has price ${params.price}; prices must be > 0`);
    if (params.depthUsd !== undefined && params.depthUsd < 0n) throw badInput(`asset ${name} has negative depthUsd`);
    volatile.push(!params.stable);
    depthF.push(params.depthUsd === undefined ? 0 : Number(params.depthUsd) / 1e6);
  }
  const venues: Venue[] = [];
  const venueKeys: VenueKey[] = [];
  const venueIndex = new Map<VenueKey, number>();
  const venueOf = (venue: Venue): number => {
    const key = venueKey(venue);
    let i = venueIndex.get(key);
    if (i === undefined) {
      i = venues.length;
      venueIndex.set(key, i);
      venues.push({ protocol: venue.protocol, network: venue.network });
      venueKeys.push(key);
    }
    return i;
  };
  const term = (asset: string, valueUsd: bigint, threshold: number, bonus: number, where: string): CompiledTerm => {
    if (valueUsd < 0n) throw badInput(`${where}: valueUsd of ${asset} is negative`);
    return { asset: assetOf(assetIndex, asset, where), valueUsd, valueF: Number(valueUsd) / 1e6, threshold, bonus };
  };

  const perps: CompiledPerp[] = [];
  const lending: CompiledLending[] = [];
  portfolio.positions.forEach((position, i) => {
    const where = `position ${i} (${position.account})`;
    if (position.kind === 'perp') {
      const asset = assetOf(assetIndex, position.asset, where);
      const collateralAsset = position.collateralAsset === undefined ? USD : assetOf(assetIndex, position.collateralAsset, where);
      if (position.sizeUsd < 0n || position.collateralUsd < 0n) throw badInput(`${where}: sizeUsd and collateralUsd must be >= 0`);
      if (position.entryPrice <= 0n) throw badInput(`${where}: entryPrice must be > 0`);
      if (position.maintenanceMarginRate !== undefined) checkFraction(position.maintenanceMarginRate, `${where}: maintenanceMarginRate`, 1);
      const currentPrice = portfolio.assets[position.asset]!.price;
      const notionalUsd = mulDiv(position.sizeUsd, currentPrice, position.entryPrice);
      const long = position.side === 'long';
      const shape = {
        long,
        sizeF: Number(position.sizeUsd) / 1e6,
        collateralF: Number(position.collateralUsd) / 1e6,
        notionalF: Number(notionalUsd) / 1e6,
        sameAssetCollateral: collateralAsset === asset,
      };
      perps.push({
        position: i,
        venue: venueOf(position.venue),
        asset,
        collateralAsset,
        long,
        poolBacked: position.poolBacked === true,
        sizeUsd: position.sizeUsd,
        collateralUsd: position.collateralUsd,
        notionalUsd,
        liquidationFactor: liquidationFactorOf(shape, position.liquidationPrice, currentPrice, position.maintenanceMarginRate),
        sizeF: shape.sizeF,
        collateralF: shape.collateralF,
        notionalF: shape.notionalF,
      });
    } else {
      lending.push({
        position: i,
        venue: venueOf(position.venue),
        collateral: position.collateral.map((c) => {
          checkFraction(c.liquidationThreshold, `${where}: liquidationThreshold of ${c.asset}`, 1);
          checkFraction(c.liquidationBonus, `${where}: liquidationBonus of ${c.asset}`, 1);
          return term(c.asset, c.valueUsd, c.liquidationThreshold, c.liquidationBonus, where);
        }),
        debt: position.debt.map((d) => term(d.asset, d.valueUsd, 0, 0, where)),
      });
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
  return { assetNames, assetIndex, volatile, depthF, issuers, accounts, venues, venueKeys, perps, lending, pools };
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

export function lendingEquityF(a: CompiledLending, f: ArrayLike<number>): number {
  return sumTermsF(a.collateral, f) - sumTermsF(a.debt, f);
}

export function lendingLiquidatableF(a: CompiledLending, f: ArrayLike<number>): boolean {
  const debt = sumTermsF(a.debt, f);
  return debt > 0 && sumTermsF(a.collateral, f, true) <= debt * (1 + TRIGGER_TOLERANCE);
}

// ---- exact money at factors given in parts per billion ----

export function perpNotionalExact(p: CompiledPerp, fPpb: readonly bigint[]): MicroUsd {
  return scaleByPpb(p.notionalUsd, fPpb[p.asset]!);
}

export function perpCollateralExact(p: CompiledPerp, fPpb: readonly bigint[]): MicroUsd {
  return scaleByPpb(p.collateralUsd, ppbAt(fPpb, p.collateralAsset));
}

/** Traders' PnL in USD (positive: the trader gains). */
export function perpPnlExact(p: CompiledPerp, fPpb: readonly bigint[]): MicroUsd {
  const pnl = perpNotionalExact(p, fPpb) - p.sizeUsd;
  return p.long ? pnl : -pnl;
}

export function perpEquityExact(p: CompiledPerp, fPpb: readonly bigint[]): MicroUsd {
  return perpCollateralExact(p, fPpb) + perpPnlExact(p, fPpb);
}

export function sumTermsExact(terms: CompiledTerm[], fPpb: readonly bigint[]): MicroUsd {
  let total = 0n;
  for (const t of terms) total += scaleByPpb(t.valueUsd, fPpb[t.asset]!);
  return total;
}

export function factorsToPpb(factors: ArrayLike<number>): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i < factors.length; i++) out.push(BigInt(Math.round(factors[i]! * 1e9)));
  return out;
}
