/**
 * Distance to insolvency: the smallest price move at which shortfall (bad debt)
 * turns positive, moving either one asset or every non-stable asset together
 * (market-wide), with the move taken as an instantaneous jump (no liquidation
 * on the way). A position's equity is affine in the move, k0 + k1 x, so its
 * own distance is exact: down 1 - (-k0/k1) if k1 > 0, up (-k0/k1) - 1 if k1 < 0.
 * The venue's distance is the smallest over its positions.
 */
import { insolvencyRegion, lendingEquityAffine, perpEquityAffine, type Affine } from './affine';
import { badInput } from './errors';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import { stressTest, type StressScenario } from './stress';
import type { Portfolio, Venue, VenueKey } from './types';

/** Fractions; null when no move that way (down to a price of zero, or any rise) makes shortfall positive. */
export interface InsolvencyDistance {
  down: number | null;
  up: number | null;
}

export interface DistanceReport {
  venue: Venue;
  key: VenueKey;
  marketWide: InsolvencyDistance;
  perAsset: Record<string, InsolvencyDistance>;
}

export interface DistanceResult {
  venues: DistanceReport[];
  total: Omit<DistanceReport, 'venue' | 'key'>;
}

/** The distance of one position whose equity along the move is `equity`. */
export function positionDistance(equity: Affine): InsolvencyDistance {
  if (equity.k0 + equity.k1 < 0) return { down: 0, up: 0 };
  const region = insolvencyRegion(equity);
  if (region.kind === 'below') return { down: region.threshold > 0 ? 1 - region.threshold : null, up: null };
  if (region.kind === 'above') return { down: null, up: region.threshold - 1 };
  return { down: null, up: null };
}

function closer(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

function merge(into: InsolvencyDistance, d: InsolvencyDistance): void {
  into.down = closer(into.down, d.down);
  into.up = closer(into.up, d.up);
}

export function distanceToInsolvency(portfolio: Portfolio | CompiledPortfolio): DistanceResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const nAssets = c.assetNames.length;
  const none = (): InsolvencyDistance => ({ down: null, up: null });
  const perVenue = c.venues.map(() => ({ marketWide: none(), perAsset: c.assetNames.map(none) }));
  const total = { marketWide: none(), perAsset: c.assetNames.map(none) };
  const masks = c.assetNames.map((_, a) => c.assetNames.map((__, i) => i === a));
  const visit = (venue: number, assets: Set<number>, equityAlong: (moved: boolean[]) => Affine) => {
    const wide = positionDistance(equityAlong(c.volatile));
    merge(perVenue[venue]!.marketWide, wide);
    merge(total.marketWide, wide);
    for (const a of assets) {
      const d = positionDistance(equityAlong(masks[a]!));
      merge(perVenue[venue]!.perAsset[a]!, d);
      merge(total.perAsset[a]!, d);
    }
  };
  for (const p of c.perps) visit(p.venue, new Set([p.asset, p.collateralAsset].filter((a) => a >= 0)), (m) => perpEquityAffine(p, m));
  for (const a of c.lending) visit(a.venue, new Set([...a.collateral, ...a.debt].map((t) => t.asset)), (m) => lendingEquityAffine(a, m));
  const named = (list: InsolvencyDistance[]) => {
    const out: Record<string, InsolvencyDistance> = {};
    for (let i = 0; i < nAssets; i++) if (list[i]!.down !== null || list[i]!.up !== null) out[c.assetNames[i]!] = list[i]!;
    return out;
  };
  return {
    venues: c.venues.map((venue, v) => ({ venue, key: c.venueKeys[v]!, marketWide: perVenue[v]!.marketWide, perAsset: named(perVenue[v]!.perAsset) })),
    total: { marketWide: total.marketWide, perAsset: named(total.perAsset) },
  };
}

export interface CascadeDistanceOptions {
  direction: 'down' | 'up';
  /** Move this asset only; default: market-wide. */
  asset?: string;
  impact?: StressScenario['impact'];
  /** Resolution of the answer (default 1e-4 = 1 basis point). */
  resolution?: number;
  /** Largest move searched (default 1 down, 5 up). */
  maxMove?: number;
}

/**
 * Distance to insolvency with the liquidation cascade: the smallest move at which
 * the stress test's total shortfall is positive, found by bisection (assumes
 * shortfall is monotone in the move, which holds when liquidations push prices
 * the same way as the shock). Null when even maxMove leaves no shortfall.
 */
export function distanceToInsolvencyWithCascade(portfolio: Portfolio | CompiledPortfolio, options: CascadeDistanceOptions): number | null {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const sign = options.direction === 'down' ? -1 : 1;
  const maxMove = options.maxMove ?? (options.direction === 'down' ? 1 : 5);
  const resolution = options.resolution ?? 1e-4;
  if (!(resolution > 0) || !(maxMove > 0)) throw badInput('resolution and maxMove must be > 0');
  const shortfallAt = (d: number) => {
    const move = sign * d;
    const scenario: StressScenario = options.asset ? { moves: { [options.asset]: move } } : { marketWide: move };
    return stressTest(c, { ...scenario, impact: options.impact }).total.shortfallUsd > 0n;
  };
  if (shortfallAt(0)) return 0;
  if (!shortfallAt(maxMove)) return null;
  let lo = 0;
  let hi = maxMove;
  while (hi - lo > resolution) {
    const mid = (lo + hi) / 2;
    if (shortfallAt(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
