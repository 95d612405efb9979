/**
 * Backtests of what svr predicts: are the stated confidences true over the
 * history? Pure functions over the series of predictions and outcomes.
 *
 * - Kupiec's proportion-of-failures test (Kupiec 1995, "Techniques for
 *   verifying the accuracy of risk measurement models"): with n predictions,
 *   x exceedances and expected rate p = 1 - confidence,
 *     LR_pof = -2 ln[(1 - p)^(n - x) p^x] + 2 ln[(1 - x/n)^(n - x) (x/n)^x],
 *   chi-square with 1 degree of freedom under a correct model.
 * - Christoffersen's independence test (Christoffersen 1998, "Evaluating
 *   interval forecasts"): from the transitions n_ij of the hit sequence
 *   (i the previous day's hit, j today's),
 *     LR_ind = -2 ln[(1 - pi)^(n00 + n10) pi^(n01 + n11)]
 *              + 2 ln[(1 - pi01)^n00 pi01^n01 (1 - pi11)^n10 pi11^n11],
 *   chi-square(1); LR_cc = LR_pof + LR_ind is chi-square(2).
 * With 0 ln 0 = 0. Floats: these are statistics.
 */
import { RiskError, badInput } from './errors';
import { forecastRatio, type RatioObservation } from './forecast';
import { simulatePaths, type MonteCarloOptions } from './monte-carlo';
import type { CompiledPortfolio } from './portfolio';
import { normalCdf, quantileSorted } from './statistics';
import type { Portfolio } from './types';

const DAY_SECONDS = 86_400;

/** P(X > x) for X chi-square with 1 degree of freedom: 2 (1 - Phi(sqrt x)). */
export function chiSquare1Survival(x: number): number {
  if (!(x >= 0)) throw badInput(`chi-square statistic ${x} must be >= 0`);
  return Math.min(1, 2 * normalCdf(-Math.sqrt(x)));
}

/** P(X > x) for X chi-square with 2 degrees of freedom: e^{-x/2}. */
export function chiSquare2Survival(x: number): number {
  if (!(x >= 0)) throw badInput(`chi-square statistic ${x} must be >= 0`);
  return Math.exp(-x / 2);
}

/** k ln(q), with 0 ln 0 = 0 (the likelihood of a count of zero events). */
function xlogy(k: number, q: number): number {
  return k === 0 ? 0 : k * Math.log(q);
}

export interface LikelihoodRatioTest {
  statistic: number;
  pValue: number;
}

export interface KupiecTest extends LikelihoodRatioTest {
  observations: number;
  exceedances: number;
  expectedRate: number;
  observedRate: number;
}

/** Kupiec's POF test of `exceedances` out of `observations` against the expected rate. */
export function kupiecPof(observations: number, exceedances: number, expectedRate: number): KupiecTest {
  if (!(Number.isInteger(observations) && observations > 0)) throw badInput('Kupiec test needs a positive whole number of observations');
  if (!(Number.isInteger(exceedances) && exceedances >= 0 && exceedances <= observations)) throw badInput('exceedances must be a whole number in [0, observations]');
  if (!(expectedRate > 0 && expectedRate < 1)) throw badInput(`expected exceedance rate ${expectedRate} must be in (0, 1)`);
  const n = observations;
  const x = exceedances;
  const observed = x / n;
  const nullLog = xlogy(n - x, 1 - expectedRate) + xlogy(x, expectedRate);
  const altLog = xlogy(n - x, 1 - observed) + xlogy(x, observed);
  const statistic = Math.max(0, -2 * (nullLog - altLog));
  return { statistic, pValue: chiSquare1Survival(statistic), observations: n, exceedances: x, expectedRate, observedRate: observed };
}

export interface ChristoffersenTest extends LikelihoodRatioTest {
  /** Transitions of the hit sequence: n00, n01, n10, n11. */
  transitions: [number, number, number, number];
  /** P(hit | previous hit); null with no previous hit. */
  hitAfterHit: number | null;
  /** P(hit | previous no hit); null with no previous miss. */
  hitAfterNoHit: number | null;
}

/** Christoffersen's independence test of a hit sequence (true = exceedance). */
export function christoffersenIndependence(hits: readonly boolean[]): ChristoffersenTest {
  if (hits.length < 2) throw badInput('the independence test needs at least 2 observations');
  let n00 = 0;
  let n01 = 0;
  let n10 = 0;
  let n11 = 0;
  for (let t = 1; t < hits.length; t++) {
    if (hits[t - 1]) hits[t] ? n11++ : n10++;
    else hits[t] ? n01++ : n00++;
  }
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : null;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : null;
  const pi = (n01 + n11) / (n00 + n01 + n10 + n11);
  const nullLog = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi);
  const altLog = xlogy(n00, 1 - (pi01 ?? 0)) + xlogy(n01, pi01 ?? 0) + xlogy(n10, 1 - (pi11 ?? 0)) + xlogy(n11, pi11 ?? 0);
  const statistic = Math.max(0, -2 * (nullLog - altLog));
  return { statistic, pValue: chiSquare1Survival(statistic), transitions: [n00, n01, n10, n11], hitAfterHit: pi11, hitAfterNoHit: pi01 };
}

export interface ExceedanceBacktest {
  kupiec: KupiecTest;
  christoffersen: ChristoffersenTest;
  /** Conditional coverage: LR_pof + LR_ind against chi-square(2). */
  conditionalCoverage: LikelihoodRatioTest;
}

/** Both tests on a hit sequence whose hits should occur at `expectedRate`, independently. */
export function exceedanceBacktest(hits: readonly boolean[], expectedRate: number): ExceedanceBacktest {
  const kupiec = kupiecPof(hits.length, hits.filter(Boolean).length, expectedRate);
  const christoffersen = christoffersenIndependence(hits);
  const statistic = kupiec.statistic + christoffersen.statistic;
  return { kupiec, christoffersen, conditionalCoverage: { statistic, pValue: chiSquare2Survival(statistic) } };
}

export interface BandOutcome {
  low: number;
  high: number;
  realised: number;
}

export interface BandCoverage extends ExceedanceBacktest {
  /** Share of outcomes inside [low, high]. */
  coverage: number;
  /** The band's stated central probability. */
  bandLevel: number;
  below: number;
  above: number;
}

/** Coverage of a central band of stated probability: an outcome outside it is a hit, expected at 1 - bandLevel. */
export function bandCoverage(outcomes: readonly BandOutcome[], bandLevel: number): BandCoverage {
  if (!(bandLevel > 0 && bandLevel < 1)) throw badInput(`band level ${bandLevel} must be in (0, 1)`);
  let below = 0;
  let above = 0;
  const hits = outcomes.map((o) => {
    if (o.realised < o.low) below++;
    else if (o.realised > o.high) above++;
    else return false;
    return true;
  });
  const tests = exceedanceBacktest(hits, 1 - bandLevel);
  return { ...tests, coverage: 1 - tests.kupiec.observedRate, bandLevel, below, above };
}

export interface CrossingOutcome {
  /** The model said the threshold is crossed within the horizon. */
  predicted: boolean;
  /** The model's probability of crossing within the horizon, in [0, 1]. */
  probability: number;
  /** The threshold was crossed within the horizon. */
  happened: boolean;
}

export interface CrossingHitRate {
  predictions: number;
  /** Predicted and happened. */
  hits: number;
  /** Happened but not predicted. */
  misses: number;
  /** Predicted but did not happen. */
  falseAlarms: number;
  /** hits / (hits + misses); null when no crossing happened. */
  hitRate: number | null;
  /** falseAlarms / (hits + falseAlarms); null when none was predicted. */
  falseAlarmRatio: number | null;
  /** Mean of (probability - happened)^2: 0 is perfect, 0.25 is a coin toss at 50%. */
  brierScore: number;
  /** Mean stated probability against the share that happened: a calibrated model has them close. */
  meanProbability: number;
  observedRate: number;
}

/** Hit rate of threshold-crossing predictions, with the Brier score of their probabilities. */
export function crossingHitRate(outcomes: readonly CrossingOutcome[]): CrossingHitRate {
  if (outcomes.length === 0) throw badInput('a hit rate needs at least one prediction');
  let hits = 0;
  let misses = 0;
  let falseAlarms = 0;
  let brier = 0;
  let probability = 0;
  let happened = 0;
  for (const o of outcomes) {
    if (!(o.probability >= 0 && o.probability <= 1)) throw badInput(`probability ${o.probability} must be in [0, 1]`);
    if (o.predicted && o.happened) hits++;
    else if (o.happened) misses++;
    else if (o.predicted) falseAlarms++;
    brier += (o.probability - (o.happened ? 1 : 0)) ** 2;
    probability += o.probability;
    if (o.happened) happened++;
  }
  const n = outcomes.length;
  return {
    predictions: n,
    hits,
    misses,
    falseAlarms,
    hitRate: hits + misses > 0 ? hits / (hits + misses) : null,
    falseAlarmRatio: hits + falseAlarms > 0 ? falseAlarms / (hits + falseAlarms) : null,
    brierScore: brier / n,
    meanProbability: probability / n,
    observedRate: happened / n,
  };
}

export interface ForecastBacktestOptions {
  /** Observations each fit uses: the trailing window, ending at the forecast's origin. */
  window: number;
  /** Observations between a forecast's origin and the outcome it is checked against; origins step by this much, so outcomes do not overlap. */
  horizonSteps: number;
  /** Level of the one-sided lower quantile of the ratio (the forecast model's value at risk of the ratio). */
  confidence: number;
  /** Central probability of the band. */
  bandLevel: number;
  threshold: number;
  /** forecastRatio's alert level for the leading indicator. */
  alertProbability?: number;
}

export interface ForecastBacktest {
  /** Forecasts made and checked. */
  forecasts: number;
  /** Mean days between an origin and its outcome. */
  horizonDays: number;
  /** The realised ratio below the model's `confidence` lower quantile is an exceedance, expected at 1 - confidence. */
  quantile: ExceedanceBacktest & { confidence: number };
  band: BandCoverage;
  /** The leading indicator against the ratio actually touching the threshold by the outcome's time. */
  crossings: CrossingHitRate & { threshold: number };
}

/**
 * Backtest of forecastRatio over a history: at each origin t (every
 * `horizonSteps` observations, once `window` observations are behind it),
 * fit on the window ending at t, forecast to the time of observation
 * t + horizonSteps, and compare with what happened there.
 */
export function backtestForecast(history: readonly RatioObservation[], options: ForecastBacktestOptions): ForecastBacktest {
  const { window, horizonSteps, confidence, bandLevel, threshold } = options;
  if (!(Number.isInteger(window) && window >= 3)) throw badInput('the trailing window must be a whole number of at least 3 observations');
  if (!(Number.isInteger(horizonSteps) && horizonSteps >= 1)) throw badInput('the horizon must be a whole number of at least 1 observation');
  if (!(confidence > 0.5 && confidence < 1)) throw badInput(`confidence ${confidence} must be in (0.5, 1)`);
  const points = [...history].sort((a, b) => a.time - b.time);
  const hits: boolean[] = [];
  const band: BandOutcome[] = [];
  const crossings: CrossingOutcome[] = [];
  let days = 0;
  for (let t = window - 1; t + horizonSteps < points.length; t += horizonSteps) {
    const fitted = points.slice(t - window + 1, t + 1);
    const outcome = points[t + horizonSteps]!;
    const horizonDays = (outcome.time - points[t]!.time) / DAY_SECONDS;
    // One projected point, at the outcome's time.
    const common = { horizonDays, threshold, pointsPerDay: 1 / horizonDays, alertProbability: options.alertProbability };
    const banded = forecastRatio(fitted, { ...common, bandLevel });
    const lower = forecastRatio(fitted, { ...common, bandLevel: 2 * confidence - 1 }).path[0]!.low;
    const end = banded.path[0]!;
    hits.push(outcome.ratio < lower);
    band.push({ low: end.low, high: end.high, realised: outcome.ratio });
    let touched = false;
    for (let k = t + 1; k <= t + horizonSteps; k++) touched ||= points[k]!.ratio <= threshold;
    crossings.push({ predicted: banded.leadingIndicator, probability: banded.probabilityOfThresholdWithinHorizon, happened: touched });
    days += horizonDays;
  }
  if (hits.length < 2) throw new RiskError('RISK_TOO_LITTLE_HISTORY', `a backtest needs at least 2 forecasts: ${points.length} observations give ${hits.length} with a window of ${window} and a horizon of ${horizonSteps}: shorten the window or the horizon, or read a longer span`);
  return {
    forecasts: hits.length,
    horizonDays: days / hits.length,
    quantile: { ...exceedanceBacktest(hits, 1 - confidence), confidence },
    band: bandCoverage(band, bandLevel),
    crossings: { ...crossingHitRate(crossings), threshold },
  };
}

export interface QuantileOutcome {
  /** When the prediction was made (Unix seconds). */
  time: number;
  /** The predicted upper quantile (a VaR or LaR), USD. */
  predicted: number;
  /** What was realised over the horizon after `time`, USD. */
  realised: number;
}

export interface QuantileExceedances extends ExceedanceBacktest {
  confidence: number;
  meanPredicted: number;
  meanRealised: number;
  points: Array<QuantileOutcome & { exceeded: boolean }>;
}

/**
 * An upper quantile at `confidence` (a VaR or LaR) against the loss realised
 * after each prediction: realised > predicted is an exceedance, which a
 * correct model makes at rate 1 - confidence, independently.
 */
export function quantileExceedances(outcomes: readonly QuantileOutcome[], confidence: number): QuantileExceedances {
  if (!(confidence > 0 && confidence < 1)) throw badInput(`confidence ${confidence} must be in (0, 1)`);
  if (outcomes.length < 2) throw new RiskError('RISK_TOO_LITTLE_HISTORY', `a backtest needs at least 2 predictions; there are ${outcomes.length}`);
  const points = outcomes.map((o) => ({ ...o, exceeded: o.realised > o.predicted }));
  const n = points.length;
  return {
    ...exceedanceBacktest(points.map((p) => p.exceeded), 1 - confidence),
    confidence,
    meanPredicted: points.reduce((s, p) => s + p.predicted, 0) / n,
    meanRealised: points.reduce((s, p) => s + p.realised, 0) / n,
    points,
  };
}

export interface MonteCarloBacktestStep {
  time: number;
  /** The positions and prices at `time`. */
  portfolio: Portfolio | CompiledPortfolio;
  /** Known at `time` (estimated from the history before it). */
  volatility: Readonly<Record<string, number>>;
  correlation?: MonteCarloOptions['correlation'];
  /** Liquidated notional realised in the horizon after `time`, USD. */
  realisedLiquidationsUsd: number;
  /** Insolvency (bad debt) realised in the horizon after `time`, USD. */
  realisedInsolvencyUsd: number;
}

export interface MonteCarloBacktestOptions {
  horizonDays: number;
  paths: number;
  seed: number;
  confidence: number;
}

export interface MonteCarloBacktest {
  horizonDays: number;
  paths: number;
  seed: number;
  /** LaR at `confidence` against realised liquidations. */
  liquidations: QuantileExceedances;
  /** VaR (insolvency) at `confidence` against realised insolvency. */
  insolvency: QuantileExceedances;
}

/**
 * Backtest of the Monte Carlo (monte-carlo.ts) over a series of steps: at each
 * step the simulation of the portfolio as it stood, with the volatilities known
 * then, gives the LaR and VaR at `confidence` over the horizon (the portfolio's
 * total: every venue in it); each is checked against what was realised.
 */
export function backtestMonteCarlo(steps: readonly MonteCarloBacktestStep[], options: MonteCarloBacktestOptions): MonteCarloBacktest {
  const { horizonDays, paths, seed, confidence } = options;
  const liquidations: QuantileOutcome[] = [];
  const insolvency: QuantileOutcome[] = [];
  for (const step of steps) {
    const s = simulatePaths(step.portfolio, { volatility: step.volatility, correlation: step.correlation, horizonDays, paths, seed });
    const lar = quantileSorted(s.totalLiquidations.slice().sort(), confidence);
    const value = quantileSorted(s.totalInsolvency.slice().sort(), confidence);
    liquidations.push({ time: step.time, predicted: lar, realised: step.realisedLiquidationsUsd });
    insolvency.push({ time: step.time, predicted: value, realised: step.realisedInsolvencyUsd });
  }
  return { horizonDays, paths, seed, liquidations: quantileExceedances(liquidations, confidence), insolvency: quantileExceedances(insolvency, confidence) };
}

export interface CurveOutcome {
  time: number;
  asset: string;
  /** The asset's realised price move over the step, a fraction. */
  move: number;
  /** The liquidation curve's liquidatable size at that move, from the positions at `time`, USD. */
  predicted: number;
  /** Liquidations that happened over the step in positions of the asset, USD. */
  realised: number;
}

export interface CurveBucketResult {
  /** The bucket's moves: fromMove <= move < toMove; toMove null for no upper end. */
  fromMove: number;
  toMove: number | null;
  observations: number;
  predictedUsd: number;
  realisedUsd: number;
  /** Mean |predicted - realised| per observation, USD. */
  meanAbsoluteErrorUsd: number;
  /** realisedUsd / predictedUsd; null when nothing was predicted. */
  realisedToPredicted: number | null;
}

export interface CurveBacktestResult {
  observations: number;
  predictedUsd: number;
  realisedUsd: number;
  meanAbsoluteErrorUsd: number;
  realisedToPredicted: number | null;
  /** Non-empty buckets, by move. */
  buckets: CurveBucketResult[];
  points: CurveOutcome[];
}

/** Move buckets of the curve backtest: falls and rises of 0-2%, 2-5%, 5-10%, 10-20% and beyond. */
export const CURVE_BACKTEST_EDGES: readonly number[] = [-1, -0.2, -0.1, -0.05, -0.02, 0, 0.02, 0.05, 0.1, 0.2];

function summariseCurve(points: readonly CurveOutcome[]) {
  const predictedUsd = points.reduce((s, p) => s + p.predicted, 0);
  const realisedUsd = points.reduce((s, p) => s + p.realised, 0);
  const error = points.reduce((s, p) => s + Math.abs(p.predicted - p.realised), 0);
  return {
    observations: points.length,
    predictedUsd,
    realisedUsd,
    meanAbsoluteErrorUsd: points.length ? error / points.length : 0,
    realisedToPredicted: predictedUsd > 0 ? realisedUsd / predictedUsd : null,
  };
}

/** The liquidation curve's predictions at realised moves against the liquidations that followed, per move bucket. */
export function curveBacktest(outcomes: readonly CurveOutcome[]): CurveBacktestResult {
  const edges = CURVE_BACKTEST_EDGES;
  const buckets: CurveBucketResult[] = [];
  for (let k = 0; k < edges.length; k++) {
    const lo = edges[k]!;
    const hi = k + 1 < edges.length ? edges[k + 1]! : null;
    const inside = outcomes.filter((o) => o.move >= lo && (hi === null || o.move < hi));
    if (inside.length) buckets.push({ fromMove: lo, toMove: hi, ...summariseCurve(inside) });
  }
  return { ...summariseCurve(outcomes), buckets, points: [...outcomes] };
}
