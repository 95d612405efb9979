/**
 * Monte Carlo Value at Risk (insolvency) and Liquidations at Risk.
 *
 * Prices follow a multivariate geometric Brownian motion over the horizon T
 * (years): factor_a = exp((mu_a - sigma_a^2 / 2) T + sigma_a sqrt(T) y_a),
 * y = L z with L the Cholesky factor of the correlation matrix and z standard
 * normals from a seeded generator. Each path is valued at the horizon only:
 *   insolvency(path)   = bad debt at f, as the stress test books it: perps
 *                        max(0, -equity(f)); lending max(0, debt - collateral / (1 + bonus))
 *   liquidations(path) = sum over liquidatable positions of their size at f
 * VaR_q = the q-quantile of insolvency across paths, LaR_q likewise. Outputs
 * are floats in USD: they are statistics, not balances.
 *
 * Speed: a position whose value depends on one random asset is affine in that
 * asset's factor, so positions are grouped by (venue, asset) into threshold
 * books and each path costs O(log n) per group. Positions spanning several
 * random assets are valued one by one on every path.
 */
import { insolvencyRegion, lendingBadDebtEquityAffine, lendingDebtAffine, lendingLiquidationRegion, perpEquityAffine, perpLiquidationRegion, perpSizeAffine, type Affine, type Region } from './affine';
import { badInput } from './errors';
import { checkCorrelation, cholesky } from './linalg';
import { compilePortfolio, lendingBadDebtEquityF, lendingLiquidatableF, perpEquityF, perpLiquidatableF, sumTermsF, TRIGGER_TOLERANCE, USD, type CompiledLending, type CompiledPerp, type CompiledPortfolio } from './portfolio';
import { SeededRandom } from '../numeric/random';
import { mean, quantileInterval, quantileSorted } from './statistics';
import { ThresholdBook, type BookEntry } from './threshold-book';
import type { Portfolio, Venue, VenueKey } from './types';

export interface MonteCarloOptions {
  /** Annualised volatility per asset; assets left out do not move. */
  volatility: Readonly<Record<string, number>>;
  /** Correlations between the named assets (default: independent). */
  correlation?: { assets: readonly string[]; matrix: readonly (readonly number[])[] };
  /** Annualised drift per asset (default 0: over a day drift is negligible against volatility). */
  drift?: Readonly<Record<string, number>>;
  horizonDays?: number;
  paths?: number;
  seed?: number;
  daysPerYear?: number;
  /** Level of the confidence intervals around each quantile (default 0.95). */
  intervalLevel?: number;
}

export interface QuantileEstimate {
  /** USD, float. */
  value: number;
  low: number;
  high: number;
  /** The quantile's level (0.95 for a 95% VaR): the figure is exceeded with probability 1 - confidence. */
  confidence: number;
  /** Days over which the loss is measured: a VaR without its horizon means nothing. */
  horizonDays: number;
  /** Probability that [low, high] holds the true quantile (distribution-free interval from order statistics). */
  intervalLevel: number;
}

export interface VenueRisk {
  expectedInsolvencyUsd: number;
  var95: QuantileEstimate;
  var99: QuantileEstimate;
  /** Mean insolvency over the worst 1% of paths (expected shortfall at 99%). */
  expectedShortfall99Usd: number;
  expectedLiquidationsUsd: number;
  lar95: QuantileEstimate;
  lar99: QuantileEstimate;
}

export interface MonteCarloResult {
  paths: number;
  horizonDays: number;
  seed: number;
  venues: Array<VenueRisk & { venue: Venue; key: VenueKey }>;
  total: VenueRisk;
}

export const MONTE_CARLO_DEFAULTS = { horizonDays: 1, paths: 10_000, seed: 1, daysPerYear: 365, intervalLevel: 0.95 } as const;

interface Group {
  venue: number;
  asset: number;
  insolvency: ThresholdBook<number>;
  liquidation: ThresholdBook<number>;
}

function entry(region: Region, amount: Affine): BookEntry<number> {
  return { region, k0: [amount.k0], k1: [amount.k1] };
}

/** Assets a position's value depends on, among those that move in the simulation. */
function randomAssetsOf(assets: number[], random: boolean[]): number[] {
  return [...new Set(assets.filter((a) => a !== USD && random[a]))];
}

/** The simulated outcome of every path, per venue and in total: USD floats, in path order. */
export interface SimulatedPaths {
  paths: number;
  horizonDays: number;
  seed: number;
  venues: Array<{ venue: Venue; key: VenueKey; insolvency: Float64Array; liquidations: Float64Array }>;
  totalInsolvency: Float64Array;
  totalLiquidations: Float64Array;
}

export function monteCarloRisk(portfolio: Portfolio | CompiledPortfolio, options: MonteCarloOptions): MonteCarloResult {
  const level = options.intervalLevel ?? MONTE_CARLO_DEFAULTS.intervalLevel;
  const s = simulatePaths(portfolio, options);
  return {
    paths: s.paths,
    horizonDays: s.horizonDays,
    seed: s.seed,
    venues: s.venues.map((v) => ({ venue: v.venue, key: v.key, ...summarise(v.insolvency, v.liquidations, level, s.horizonDays) })),
    total: summarise(s.totalInsolvency, s.totalLiquidations, level, s.horizonDays),
  };
}

/** The simulation itself, every path's insolvency and liquidations (monteCarloRisk summarises them; backtests take other quantiles). */
export function simulatePaths(portfolio: Portfolio | CompiledPortfolio, options: MonteCarloOptions): SimulatedPaths {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const horizonDays = options.horizonDays ?? MONTE_CARLO_DEFAULTS.horizonDays;
  const paths = options.paths ?? MONTE_CARLO_DEFAULTS.paths;
  const seed = options.seed ?? MONTE_CARLO_DEFAULTS.seed;
  const daysPerYear = options.daysPerYear ?? MONTE_CARLO_DEFAULTS.daysPerYear;
  if (!(horizonDays > 0) || !Number.isInteger(paths) || paths < 1) throw badInput('horizonDays must be > 0 and paths a positive integer');
  const T = horizonDays / daysPerYear;
  const nAssets = c.assetNames.length;

  const sigma = new Float64Array(nAssets);
  const mu = new Float64Array(nAssets);
  for (const [name, v] of Object.entries(options.volatility)) {
    const i = c.assetIndex.get(name);
    if (i === undefined) throw badInput(`volatility names unknown asset "${name}"`);
    if (!(v >= 0)) throw badInput(`volatility of ${name} is ${v}; expected >= 0`);
    sigma[i] = v;
  }
  for (const [name, v] of Object.entries(options.drift ?? {})) {
    const i = c.assetIndex.get(name);
    if (i === undefined) throw badInput(`drift names unknown asset "${name}"`);
    mu[i] = v;
  }
  const random = Array.from(sigma, (s, i) => s > 0 || mu[i] !== 0);
  const randomIdx = random.flatMap((r, i) => (r ? [i] : []));

  // Correlation over the random assets, then its Cholesky factor.
  const rho: number[][] = randomIdx.map((i) => randomIdx.map((j) => (i === j ? 1 : 0)));
  if (options.correlation) {
    const { assets, matrix } = options.correlation;
    checkCorrelation(matrix);
    if (matrix.length !== assets.length) throw badInput('correlation.assets and correlation.matrix differ in size');
    const at = new Map(assets.map((a, k) => [a, k]));
    randomIdx.forEach((i, r) =>
      randomIdx.forEach((j, s) => {
        const ki = at.get(c.assetNames[i]!);
        const kj = at.get(c.assetNames[j]!);
        if (i !== j && ki !== undefined && kj !== undefined) rho[r]![s] = matrix[ki]![kj]!;
      }),
    );
  }
  const L = cholesky(rho);

  // Group positions: constant, single random asset (books), or several (valued directly).
  const nVenues = c.venues.length;
  const constantInsolvency = new Float64Array(nVenues);
  const constantLiquidation = new Float64Array(nVenues);
  const groupEntries = new Map<string, { venue: number; asset: number; insolvency: BookEntry<number>[]; liquidation: BookEntry<number>[] }>();
  const multiPerps: CompiledPerp[] = [];
  const multiLending: CompiledLending[] = [];
  const noMove = new Float64Array(nAssets).fill(1);
  const single = (venue: number, asset: number, equity: Affine, liquidation: Region, size: Affine) => {
    const key = `${venue}:${asset}`;
    let g = groupEntries.get(key);
    if (!g) groupEntries.set(key, (g = { venue, asset, insolvency: [], liquidation: [] }));
    const insolvent = insolvencyRegion(equity);
    if (insolvent.kind !== 'never') g.insolvency.push(entry(insolvent, { k0: -equity.k0, k1: -equity.k1 }));
    if (liquidation.kind !== 'never') g.liquidation.push(entry(liquidation, size));
  };
  const masks = c.assetNames.map((_, a) => c.assetNames.map((__, i) => i === a));
  for (const p of c.perps) {
    const assets = randomAssetsOf([p.asset, p.collateralAsset], random);
    if (assets.length === 0) {
      constantInsolvency[p.venue]! += Math.max(0, -perpEquityF(p, noMove));
      if (perpLiquidatableF(p, noMove)) constantLiquidation[p.venue]! += p.notionalF;
    } else if (assets.length === 1) {
      const m = masks[assets[0]!]!;
      single(p.venue, assets[0]!, perpEquityAffine(p, m), perpLiquidationRegion(p, m), perpSizeAffine(p, m));
    } else multiPerps.push(p);
  }
  for (const a of c.lending) {
    const assets = randomAssetsOf([...a.collateral, ...a.debt].map((t) => t.asset), random);
    if (assets.length === 0) {
      constantInsolvency[a.venue]! += Math.max(0, -lendingBadDebtEquityF(a, noMove));
      if (lendingLiquidatableF(a, noMove)) constantLiquidation[a.venue]! += sumTermsF(a.debt, noMove);
    } else if (assets.length === 1) {
      const m = masks[assets[0]!]!;
      single(a.venue, assets[0]!, lendingBadDebtEquityAffine(a, m), lendingLiquidationRegion(a, m), lendingDebtAffine(a, m));
    } else multiLending.push(a);
  }
  const groups: Group[] = [...groupEntries.values()].map((g) => ({
    venue: g.venue,
    asset: g.asset,
    insolvency: new ThresholdBook<number>(g.insolvency, 1, 0),
    liquidation: new ThresholdBook<number>(g.liquidation, 1, 0),
  }));

  const packed = packLending(multiLending);
  const insolvency = Array.from({ length: nVenues }, () => new Float64Array(paths));
  const liquidations = Array.from({ length: nVenues }, () => new Float64Array(paths));
  const rng = new SeededRandom(seed);
  const z = new Float64Array(randomIdx.length);
  const f = new Float64Array(nAssets).fill(1);
  const sqrtT = Math.sqrt(T);
  const pathInsolvency = new Float64Array(nVenues);
  const pathLiquidation = new Float64Array(nVenues);
  for (let path = 0; path < paths; path++) {
    for (let k = 0; k < z.length; k++) z[k] = rng.normal();
    for (let r = 0; r < randomIdx.length; r++) {
      let y = 0;
      const row = L[r]!;
      for (let k = 0; k <= r; k++) y += row[k]! * z[k]!;
      const a = randomIdx[r]!;
      f[a] = Math.exp((mu[a]! - (sigma[a]! * sigma[a]!) / 2) * T + sigma[a]! * sqrtT * y);
    }
    pathInsolvency.set(constantInsolvency);
    pathLiquidation.set(constantLiquidation);
    for (const g of groups) {
      const x = f[g.asset]!;
      const [i0, i1] = g.insolvency.coefficientsAt(x, 0);
      // A contribution is >= 0 inside its region; rounding at a boundary can leave -1e-12-ish.
      pathInsolvency[g.venue]! += Math.max(0, i0 + i1 * x);
      const [l0, l1] = g.liquidation.coefficientsAt(x, 0);
      pathLiquidation[g.venue]! += l0 + l1 * x;
    }
    for (const p of multiPerps) {
      const equity = perpEquityF(p, f);
      if (equity < 0) pathInsolvency[p.venue]! -= equity;
      if (perpLiquidatableF(p, f)) pathLiquidation[p.venue]! += p.notionalF * f[p.asset]!;
    }
    // Multi-asset accounts, packed: one pass over their terms computes collateral, weighted collateral and debt.
    for (let k = 0; k < packed.count; k++) {
      let collateral = 0;
      let weighted = 0;
      let debt = 0;
      for (let t = packed.start[k]!, end = packed.start[k + 1]!; t < end; t++) {
        const v = packed.value[t]! * f[packed.asset[t]!]!;
        if (packed.isDebt[t]) debt += v;
        else {
          collateral += v;
          weighted += v * packed.threshold[t]!;
        }
      }
      const venue = packed.venue[k]!;
      const recoverable = collateral * packed.recovery[k]!;
      if (recoverable < debt) pathInsolvency[venue]! += debt - recoverable;
      if (debt > 0 && weighted <= debt * (1 + TRIGGER_TOLERANCE)) pathLiquidation[venue]! += debt;
    }
    for (let v = 0; v < nVenues; v++) {
      insolvency[v]![path] = pathInsolvency[v]!;
      liquidations[v]![path] = pathLiquidation[v]!;
    }
  }

  const totalInsolvency = new Float64Array(paths);
  const totalLiquidations = new Float64Array(paths);
  for (let v = 0; v < nVenues; v++) {
    for (let p = 0; p < paths; p++) {
      totalInsolvency[p]! += insolvency[v]![p]!;
      totalLiquidations[p]! += liquidations[v]![p]!;
    }
  }
  return {
    paths,
    horizonDays,
    seed,
    venues: c.venues.map((venue, v) => ({ venue, key: c.venueKeys[v]!, insolvency: insolvency[v]!, liquidations: liquidations[v]! })),
    totalInsolvency,
    totalLiquidations,
  };
}

/** Accounts' terms in flat typed arrays: contiguous memory for the per-path loop. */
function packLending(accounts: CompiledLending[]) {
  const terms = accounts.reduce((n, a) => n + a.collateral.length + a.debt.length, 0);
  const packed = {
    count: accounts.length,
    venue: new Int32Array(accounts.length),
    // 1 / (1 + bonus): the share of collateral value that repays debt in a liquidation.
    recovery: new Float64Array(accounts.length),
    start: new Int32Array(accounts.length + 1),
    asset: new Int32Array(terms),
    value: new Float64Array(terms),
    threshold: new Float64Array(terms),
    isDebt: new Uint8Array(terms),
  };
  let t = 0;
  accounts.forEach((a, k) => {
    packed.venue[k] = a.venue;
    packed.recovery[k] = 1 / (1 + a.bonus);
    packed.start[k] = t;
    for (const c of a.collateral) {
      packed.asset[t] = c.asset;
      packed.value[t] = c.valueF;
      packed.threshold[t] = c.threshold;
      t++;
    }
    for (const d of a.debt) {
      packed.asset[t] = d.asset;
      packed.value[t] = d.valueF;
      packed.isDebt[t] = 1;
      t++;
    }
  });
  packed.start[accounts.length] = t;
  return packed;
}

function estimate(sorted: Float64Array, q: number, level: number, horizonDays: number): QuantileEstimate {
  return { value: quantileSorted(sorted, q), ...quantileInterval(sorted, q, level), confidence: q, horizonDays, intervalLevel: level };
}

function summarise(insolvency: Float64Array, liquidations: Float64Array, level: number, horizonDays: number): VenueRisk {
  const ins = insolvency.slice().sort();
  const liq = liquidations.slice().sort();
  const tail = ins.subarray(Math.min(ins.length - 1, Math.floor(ins.length * 0.99)));
  return {
    expectedInsolvencyUsd: mean(ins),
    var95: estimate(ins, 0.95, level, horizonDays),
    var99: estimate(ins, 0.99, level, horizonDays),
    expectedShortfall99Usd: mean(tail),
    expectedLiquidationsUsd: mean(liq),
    lar95: estimate(liq, 0.95, level, horizonDays),
    lar99: estimate(liq, 0.99, level, horizonDays),
  };
}
