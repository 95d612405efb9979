/**
 * Distance to insolvency: the smallest price move, down or up, at which a
 * venue's buffer (solvency.ts) after the liquidation cascade, with bad debt
 * absorbed (stress.ts), turns negative. Moved either market-wide (every
 * non-stable asset together) or one asset at a time. 0 only when the buffer
 * is negative now; null, with the reason, when no move in the searched range
 * does it, and for a trader-margin venue, whose backstop is not indexed
 * (UNMEASURED_BACKSTOP). Beside it, the smallest move at which the stress
 * creates any bad debt at all, which comes first and is a different question.
 *
 * Search: the stress test at `gridSteps` evenly spaced moves up to the range's
 * end, then bisection inside the first step where the condition holds, to
 * `resolution`. A buffer that dips below zero and recovers between two grid
 * points is missed; the answer states the grid.
 */
import { badInput } from './errors';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import { runCascade, tallyStress, type StressResult } from './stress';
import type { PriceImpactModel } from './price-impact';
import type { Portfolio, Venue, VenueKey } from './types';

export interface DistanceOptions {
  /** Resolution of the answer (default 1e-4 = 1 basis point). */
  resolution?: number;
  /** Grid points searched before bisection (default 10). */
  gridSteps?: number;
  /** Largest fall searched, a fraction (default 0.99). */
  maxDown?: number;
  /** Largest rise searched, a fraction (default 4 = +400%). */
  maxUp?: number;
  impact?: PriceImpactModel;
  /** Only this venue (its key) or the total ('*'); default every venue and the total. */
  only?: VenueKey | '*';
}

export interface MoveDistance {
  /** The move as a positive fraction (0.25 = a 25% fall or rise); null when none in range. */
  move: number | null;
  /** Why move is null, or why it is 0. */
  reason: string | null;
}

export interface DirectionalDistance {
  down: MoveDistance;
  up: MoveDistance;
}

export interface DistanceFigures {
  /** Buffer after the cascade turns negative. */
  insolvency: DirectionalDistance;
  /** The stress creates bad debt (shortfall > 0). */
  firstBadDebt: DirectionalDistance;
}

export interface DistanceReport {
  venue: Venue | null;
  key: VenueKey | '*';
  marketWide: DistanceFigures;
  perAsset: Record<string, DistanceFigures>;
}

export interface DistanceResult {
  venues: DistanceReport[];
  total: DistanceReport | null;
  options: Required<Omit<DistanceOptions, 'impact' | 'only'>>;
}

type Target = number | '*';

/**
 * A trader-margin venue's buffer (margin minus notional) is negative by
 * construction, since traders are leveraged; what makes such a venue
 * insolvent is its backstop running out, and the backstop is not indexed.
 */
export const UNMEASURED_BACKSTOP =
  "a trader-margin venue's insolvency is its backstop's (Synthetix's debt pool), which is not indexed: its margin minus notional is negative by construction; see firstBadDebt for the move at which traders' losses pass their margin";

function figuresOf(result: StressResult, target: Target) {
  const v = target === '*' ? result.total : result.venues[target]!;
  return { bufferNegative: v.after.bufferUsd.isNegative(), badDebt: v.shortfallUsd.isPositive(), bufferNowNegative: v.before.bufferUsd.isNegative() };
}

export function distanceToInsolvency(portfolio: Portfolio | CompiledPortfolio, options: DistanceOptions = {}): DistanceResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const resolution = options.resolution ?? 1e-4;
  const gridSteps = options.gridSteps ?? 10;
  const maxDown = options.maxDown ?? 0.99;
  const maxUp = options.maxUp ?? 4;
  if (!(resolution > 0 && resolution < 0.1)) throw badInput(`resolution is ${resolution}; expected a fraction in (0, 0.1)`);
  if (!(Number.isInteger(gridSteps) && gridSteps >= 1 && gridSteps <= 100)) throw badInput(`gridSteps is ${gridSteps}; expected a whole number from 1 to 100`);
  if (!(maxDown > 0 && maxDown <= 1)) throw badInput(`maxDown is ${maxDown}; expected a fraction in (0, 1]`);
  if (!(maxUp > 0 && maxUp <= 100)) throw badInput(`maxUp is ${maxUp}; expected a fraction in (0, 100]`);

  const targets: Target[] = [];
  if (options.only === undefined || options.only === '*') targets.push('*');
  c.venueKeys.forEach((k, v) => {
    if (options.only === undefined || options.only === k) targets.push(v);
  });
  if (options.only !== undefined && targets.length === 0) throw badInput(`no venue ${options.only} in the portfolio`);

  const stressAt = (asset: number | null, move: number) => {
    const scenario = asset === null ? { marketWide: move } : { moves: { [c.assetNames[asset]!]: move } };
    return tallyStress(c, runCascade(c, { ...scenario, impact: options.impact }));
  };
  const zero = tallyStress(c, runCascade(c, {}));

  const search = (asset: number | null, sign: -1 | 1) => {
    const max = sign < 0 ? maxDown : maxUp;
    const where = `${asset === null ? 'market-wide' : c.assetNames[asset]} ${sign < 0 ? 'fall' : 'rise'}`;
    const grid: StressResult[] = [];
    for (let k = 1; k <= gridSteps; k++) grid.push(stressAt(asset, (sign * max * k) / gridSteps));
    const out = new Map<Target, DistanceFigures['insolvency']['down'][]>();
    for (const target of targets) {
      const found = (pick: 'bufferNegative' | 'badDebt', what: string): MoveDistance => {
        if (pick === 'bufferNegative' && target !== '*' && c.models[target] === 'TRADER_MARGIN') return { move: null, reason: UNMEASURED_BACKSTOP };
        if (pick === 'bufferNegative' && figuresOf(zero, target).bufferNowNegative) return { move: 0, reason: 'the buffer is negative now' };
        const k = grid.findIndex((r) => figuresOf(r, target)[pick]);
        if (k < 0) return { move: null, reason: `no ${where} up to ${Math.round(max * 100)}% makes ${what} (searched ${gridSteps} grid points)` };
        let lo = k === 0 ? 0 : (max * k) / gridSteps;
        let hi = (max * (k + 1)) / gridSteps;
        while (hi - lo > resolution) {
          const mid = (lo + hi) / 2;
          if (figuresOf(stressAt(asset, sign * mid), target)[pick]) hi = mid;
          else lo = mid;
        }
        // Rounded up to the resolution, printed without float residue (0.1594, not 0.15940000000000001).
        return { move: Number((Math.ceil(hi / resolution) * resolution).toPrecision(12)), reason: null };
      };
      out.set(target, [found('bufferNegative', 'the buffer negative'), found('badDebt', 'bad debt')]);
    }
    return out;
  };

  const reports = new Map<Target, DistanceReport>();
  for (const target of targets) {
    reports.set(target, {
      venue: target === '*' ? null : c.venues[target]!,
      key: target === '*' ? '*' : c.venueKeys[target]!,
      marketWide: undefined as unknown as DistanceFigures,
      perAsset: {},
    });
  }
  const fill = (asset: number | null) => {
    const down = search(asset, -1);
    const up = search(asset, 1);
    for (const target of targets) {
      const [insDown, badDown] = down.get(target)!;
      const [insUp, badUp] = up.get(target)!;
      const figures: DistanceFigures = { insolvency: { down: insDown!, up: insUp! }, firstBadDebt: { down: badDown!, up: badUp! } };
      const report = reports.get(target)!;
      if (asset === null) report.marketWide = figures;
      else report.perAsset[c.assetNames[asset]!] = figures;
    }
  };
  fill(null);
  // Per asset: every volatile asset some position of the targets holds or owes.
  const held = new Set<number>();
  const inTargets = (venue: number) => targets.includes('*') || targets.includes(venue);
  for (const p of c.perps) if (inTargets(p.venue)) held.add(p.asset);
  for (const a of c.lending) if (inTargets(a.venue)) for (const t of [...a.collateral, ...a.debt]) held.add(t.asset);
  for (const pool of c.pools) if (inTargets(pool.venue)) for (const h of pool.holdings) held.add(h.asset);
  for (const asset of [...held].sort((a, b) => a - b)) if (c.volatile[asset]) fill(asset);

  return {
    venues: targets.filter((t): t is number => t !== '*').map((t) => reports.get(t)!),
    total: reports.get('*') ?? null,
    options: { resolution, gridSteps, maxDown, maxUp },
  };
}
