/**
 * A position's quantities along a price move x of a set of "moved" assets
 * (factor x for moved assets, 1 for the others) are affine: k0 + k1 x.
 * From the affine forms come the regions of x where a position is liquidatable
 * or insolvent, which the liquidation curve, distance to insolvency and the
 * Monte Carlo fast path use.
 */
import { TRIGGER_TOLERANCE, USD, type CompiledLending, type CompiledPerp, type CompiledTerm } from './portfolio';

export interface Affine {
  k0: number;
  k1: number;
}

export interface AffineExact {
  k0: bigint;
  k1: bigint;
}

/** Where along x a condition holds: x <= threshold, x >= threshold, everywhere, or nowhere. */
export type Region =
  | { kind: 'below'; threshold: number }
  | { kind: 'above'; threshold: number }
  | { kind: 'always' }
  | { kind: 'never' };

const isMoved = (moved: readonly boolean[], asset: number) => asset !== USD && moved[asset] === true;

function termsAffine(terms: CompiledTerm[], moved: readonly boolean[], weighted: boolean): Affine {
  let k0 = 0;
  let k1 = 0;
  for (const t of terms) {
    const v = t.valueF * (weighted ? t.threshold : 1);
    if (isMoved(moved, t.asset)) k1 += v;
    else k0 += v;
  }
  return { k0, k1 };
}

function termsAffineExact(terms: CompiledTerm[], moved: readonly boolean[]): AffineExact {
  let k0 = 0n;
  let k1 = 0n;
  for (const t of terms) {
    if (isMoved(moved, t.asset)) k1 += t.value;
    else k0 += t.value;
  }
  return { k0, k1 };
}

function split(value: number, movedFlag: boolean): Affine {
  return movedFlag ? { k0: 0, k1: value } : { k0: value, k1: 0 };
}

function splitExact(value: bigint, movedFlag: boolean): AffineExact {
  return movedFlag ? { k0: 0n, k1: value } : { k0: value, k1: 0n };
}

export function perpEquityAffine(p: CompiledPerp, moved: readonly boolean[]): Affine {
  const collateral = split(p.collateralF, isMoved(moved, p.collateralAsset));
  const notional = split(p.notionalF, isMoved(moved, p.asset));
  const sign = p.long ? 1 : -1;
  return {
    k0: collateral.k0 + sign * (notional.k0 - p.sizeF),
    k1: collateral.k1 + sign * notional.k1,
  };
}

export function perpSizeExact(p: CompiledPerp, moved: readonly boolean[]): AffineExact {
  return splitExact(p.size, isMoved(moved, p.asset));
}

export function perpCollateralExact(p: CompiledPerp, moved: readonly boolean[]): AffineExact {
  return splitExact(p.collateral, isMoved(moved, p.collateralAsset));
}

export function perpSizeAffine(p: CompiledPerp, moved: readonly boolean[]): Affine {
  return split(p.notionalF, isMoved(moved, p.asset));
}

export function perpLiquidationRegion(p: CompiledPerp, moved: readonly boolean[]): Region {
  if (!isMoved(moved, p.asset)) {
    const now = p.long ? 1 <= p.liquidationFactor * (1 + TRIGGER_TOLERANCE) : 1 >= p.liquidationFactor * (1 - TRIGGER_TOLERANCE);
    return now ? { kind: 'always' } : { kind: 'never' };
  }
  return p.long ? { kind: 'below', threshold: p.liquidationFactor } : { kind: 'above', threshold: p.liquidationFactor };
}

/**
 * What a lending account's liquidation leaves unpaid, as equity: collateral
 * buys back debt at (1 + bonus) per dollar, so bad debt is
 * max(0, debt - collateral / (1 + bonus)), as the stress test books it when
 * the collateral runs out (stress.ts).
 */
export function lendingBadDebtEquityAffine(a: CompiledLending, moved: readonly boolean[]): Affine {
  const c = termsAffine(a.collateral, moved, false);
  const d = termsAffine(a.debt, moved, false);
  const k = 1 / (1 + a.bonus);
  return { k0: c.k0 * k - d.k0, k1: c.k1 * k - d.k1 };
}

export function lendingDebtAffine(a: CompiledLending, moved: readonly boolean[]): Affine {
  return termsAffine(a.debt, moved, false);
}

export function lendingDebtExact(a: CompiledLending, moved: readonly boolean[]): AffineExact {
  return termsAffineExact(a.debt, moved);
}

export function lendingCollateralExact(a: CompiledLending, moved: readonly boolean[]): AffineExact {
  return termsAffineExact(a.collateral, moved);
}

/** Liquidatable where weighted collateral <= debt and debt > 0 (health factor <= 1). */
export function lendingLiquidationRegion(a: CompiledLending, moved: readonly boolean[]): Region {
  const w = termsAffine(a.collateral, moved, true);
  const d = termsAffine(a.debt, moved, false);
  if (d.k0 + d.k1 <= 0) return { kind: 'never' };
  const t0 = w.k0 - d.k0;
  const t1 = w.k1 - d.k1;
  if (t1 === 0) return t0 <= TRIGGER_TOLERANCE * d.k0 ? { kind: 'always' } : { kind: 'never' };
  const threshold = -t0 / t1;
  return t1 > 0 ? { kind: 'below', threshold } : { kind: 'above', threshold };
}

/** Where equity < 0, i.e. the position has a shortfall (bad debt) of -(k0 + k1 x). */
export function insolvencyRegion(equity: Affine): Region {
  if (equity.k1 === 0) return equity.k0 < 0 ? { kind: 'always' } : { kind: 'never' };
  const threshold = -equity.k0 / equity.k1;
  return equity.k1 > 0 ? { kind: 'below', threshold } : { kind: 'above', threshold };
}

export function inRegion(region: Region, x: number): boolean {
  switch (region.kind) {
    case 'always':
      return true;
    case 'never':
      return false;
    case 'below':
      return x <= region.threshold * (1 + TRIGGER_TOLERANCE);
    case 'above':
      return x >= region.threshold * (1 - TRIGGER_TOLERANCE);
  }
}
