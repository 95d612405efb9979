/**
 * Synthetic price paths for the demo chain: correlated geometric Brownian motion
 * (one step a minute, normals made correlated by the Cholesky factor of the
 * correlation matrix), with a crash window in which every asset drifts down by
 * its share of a market-wide drawdown, at raised volatility. Stablecoins are flat
 * at 1.00. Seeded: the same seed gives the same path.
 */
import { cholesky } from '../risk/linalg';
import { SeededRandom } from '../numeric/random';

export type Asset = 'ETH' | 'BTC' | 'AVAX' | 'LINK';
export const ASSETS: readonly Asset[] = ['ETH', 'BTC', 'AVAX', 'LINK'];

/** Per asset: start price (USD), annualised volatility, beta to the crash's drawdown. */
export const ASSET_PARAMS: Record<Asset, { start: number; vol: number; beta: number }> = {
  ETH: { start: 3400, vol: 0.65, beta: 1.0 },
  BTC: { start: 62000, vol: 0.5, beta: 0.8 },
  AVAX: { start: 40, vol: 0.9, beta: 1.3 },
  LINK: { start: 18, vol: 0.85, beta: 1.2 },
};

/** Correlation of the assets' log returns, in ASSETS order. */
export const CORRELATION: number[][] = [
  [1.0, 0.8, 0.7, 0.7],
  [0.8, 1.0, 0.6, 0.6],
  [0.7, 0.6, 1.0, 0.65],
  [0.7, 0.6, 0.65, 1.0],
];

export interface CrashWindow {
  /** First minute of the crash (from the start of the run). */
  startMinute: number;
  /** Length of the crash in minutes. */
  minutes: number;
  /** Market drawdown over the window as a fraction (0.25 = prices fall 25% at beta 1), on top of the noise. */
  drawdown: number;
  /** Volatility multiplier inside the window. */
  volMultiplier: number;
  /**
   * Gaps inside the window: at these fractions of it the price jumps down by `jumpSize`
   * (a log move, times the asset's beta) in one minute, as when a cascade or an oracle
   * catching up moves the price past positions' thresholds between two keeper checks.
   * Part of the drawdown, not added to it.
   */
  jumps: number[];
  jumpSize: number;
}

export interface PricePaths {
  minutes: number;
  /** prices[asset][minute], USD as floating point (rounded to 8 decimals when turned into Vault prices). */
  prices: Record<Asset, Float64Array>;
  crash: CrashWindow;
}

const MINUTES_PER_YEAR = 365 * 24 * 60;

/** The default crash: at 55% of the run, 6 hours long, a 25% drawdown (shorter runs: a quarter of the run). */
export function defaultCrash(minutes: number): CrashWindow {
  const length = Math.max(30, Math.min(6 * 60, Math.floor(minutes / 4)));
  return { startMinute: Math.floor(minutes * 0.55), minutes: length, drawdown: 0.25, volMultiplier: 2, jumps: [0.2, 0.5, 0.8], jumpSize: 0.04 };
}

export function simulatePrices(seed: number, minutes: number, crash: CrashWindow = defaultCrash(minutes)): PricePaths {
  const random = new SeededRandom(seed ^ 0x5eed);
  const factor = cholesky(CORRELATION);
  const n = ASSETS.length;
  const prices = {} as Record<Asset, Float64Array>;
  const logPrice: number[] = [];
  ASSETS.forEach((a, i) => {
    prices[a] = new Float64Array(minutes + 1);
    prices[a][0] = ASSET_PARAMS[a].start;
    logPrice[i] = Math.log(ASSET_PARAMS[a].start);
  });
  const dt = 1 / MINUTES_PER_YEAR;
  const jumpMinutes = new Set(crash.jumps.map((f) => crash.startMinute + 1 + Math.floor(f * (crash.minutes - 1))));
  const jumpTotal = -crash.jumpSize * jumpMinutes.size;
  const crashStep = (Math.log(1 - crash.drawdown) - jumpTotal) / crash.minutes;
  const z = new Array<number>(n).fill(0);
  for (let t = 1; t <= minutes; t++) {
    const inCrash = t > crash.startMinute && t <= crash.startMinute + crash.minutes;
    for (let i = 0; i < n; i++) z[i] = random.normal();
    for (let i = 0; i < n; i++) {
      let w = 0;
      for (let j = 0; j <= i; j++) w += factor[i][j] * z[j];
      const p = ASSET_PARAMS[ASSETS[i]];
      const sigma = p.vol * (inCrash ? crash.volMultiplier : 1);
      // Driftless GBM in log space (the -sigma^2/2 term keeps the price a martingale).
      logPrice[i] += -0.5 * sigma * sigma * dt + sigma * Math.sqrt(dt) * w + (inCrash ? p.beta * crashStep : 0) - (jumpMinutes.has(t) ? p.beta * crash.jumpSize : 0);
      prices[ASSETS[i]][t] = Math.exp(logPrice[i]);
    }
  }
  return { minutes, prices, crash };
}
