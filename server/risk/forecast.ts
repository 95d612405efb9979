/**
 * Forecast of a ratio from its history. The log of the ratio is modelled as a
 * Brownian motion with drift mu (per day) and volatility sigma (per sqrt(day)),
 * estimated from the observed increments with irregular spacing:
 *   mu = sum(dx) / sum(dt),  sigma^2 = sum((dx - mu dt)^2 / dt) / (n - 1).
 * Projected median r_0 e^{mu h}, band r_0 e^{mu h -+ z sigma sqrt(h)}.
 * Time to threshold: on the median path, ln(threshold / r_0) / mu when mu < 0.
 * Probability of touching the threshold within the horizon H (first passage of
 * a drifted Brownian motion below b = ln(threshold / r_0) < 0):
 *   Phi((b - mu H) / (sigma sqrt H)) + exp(2 mu b / sigma^2) Phi((b + mu H) / (sigma sqrt H)).
 * Floats throughout: these are statistical outputs.
 */
import { RiskError, badInput } from './errors';
import { normalCdf, normalQuantile } from './statistics';

export interface RatioObservation {
  /** Unix time, seconds. */
  time: number;
  ratio: number;
}

export interface ForecastOptions {
  /** Days ahead (default 7). */
  horizonDays?: number;
  /** The ratio that must not be crossed (default 1: backing equals obligations). */
  threshold?: number;
  /** Central probability of the band (default 0.9: the 5th to 95th percentile). */
  bandLevel?: number;
  /** Points per day on the projected path (default 1). */
  pointsPerDay?: number;
  /** Raise the leading indicator when touching the threshold within the horizon is at least this likely (default 0.05). */
  alertProbability?: number;
}

export interface ForecastPoint {
  time: number;
  median: number;
  low: number;
  high: number;
}

export interface ForecastResult {
  /** The options used, defaults included: the horizon and band level every figure below is stated at. */
  horizonDays: number;
  threshold: number;
  bandLevel: number;
  lastRatio: number;
  lastTime: number;
  /** Drift of ln(ratio) per day; e.g. -0.01 is about -1% a day. */
  trendPerDay: number;
  /** Volatility of ln(ratio) per sqrt(day). */
  volatilityPerSqrtDay: number;
  path: ForecastPoint[];
  /** Days until the median path reaches the threshold; 0 if already at or below; null if it never does. */
  daysToThreshold: number | null;
  probabilityOfThresholdWithinHorizon: number;
  leadingIndicator: boolean;
  reasons: string[];
}

const DAY = 86_400;

export function forecastRatio(history: readonly RatioObservation[], options: ForecastOptions = {}): ForecastResult {
  const horizon = options.horizonDays ?? 7;
  const threshold = options.threshold ?? 1;
  const bandLevel = options.bandLevel ?? 0.9;
  const perDay = options.pointsPerDay ?? 1;
  const alert = options.alertProbability ?? 0.05;
  if (!(horizon > 0 && threshold > 0 && bandLevel > 0 && bandLevel < 1 && perDay > 0)) throw badInput('forecast options out of range');
  const points = [...history].sort((a, b) => a.time - b.time);
  if (points.length < 3) throw new RiskError('RISK_TOO_LITTLE_HISTORY', `a forecast needs at least 3 observations, got ${points.length}`);
  for (const p of points) if (!(p.ratio > 0)) throw badInput(`ratio ${p.ratio} at time ${p.time} must be > 0`);

  let sumDx = 0;
  let sumDt = 0;
  const steps: Array<{ dx: number; dt: number }> = [];
  for (let i = 1; i < points.length; i++) {
    const dt = (points[i]!.time - points[i - 1]!.time) / DAY;
    if (!(dt > 0)) throw badInput(`observations ${i - 1} and ${i} share a time; one observation per time`);
    const dx = Math.log(points[i]!.ratio / points[i - 1]!.ratio);
    steps.push({ dx, dt });
    sumDx += dx;
    sumDt += dt;
  }
  const mu = sumDx / sumDt;
  let ss = 0;
  for (const { dx, dt } of steps) ss += (dx - mu * dt) ** 2 / dt;
  const sigma = Math.sqrt(ss / (steps.length - 1));

  const last = points[points.length - 1]!;
  const z = normalQuantile(1 - (1 - bandLevel) / 2);
  const path: ForecastPoint[] = [];
  const count = Math.ceil(horizon * perDay);
  for (let k = 1; k <= count; k++) {
    const h = Math.min(horizon, k / perDay);
    const center = Math.log(last.ratio) + mu * h;
    const spread = z * sigma * Math.sqrt(h);
    path.push({ time: last.time + h * DAY, median: Math.exp(center), low: Math.exp(center - spread), high: Math.exp(center + spread) });
  }

  const b = Math.log(threshold / last.ratio);
  let daysToThreshold: number | null;
  let probability: number;
  if (b >= 0) {
    daysToThreshold = 0;
    probability = 1;
  } else {
    daysToThreshold = mu < 0 ? b / mu : null;
    // A (numerically) noiseless history: the path is deterministic.
    if (sigma < 1e-9) probability = mu * horizon <= b ? 1 : 0;
    else {
      const s = sigma * Math.sqrt(horizon);
      probability = normalCdf((b - mu * horizon) / s) + Math.exp((2 * mu * b) / (sigma * sigma)) * normalCdf((b + mu * horizon) / s);
      probability = Number.isFinite(probability) ? Math.min(1, Math.max(0, probability)) : mu * horizon <= b ? 1 : 0;
    }
  }
  const reasons: string[] = [];
  if (b >= 0) reasons.push(`ratio ${last.ratio} is already at or below the threshold ${threshold}`);
  else {
    if (probability >= alert) reasons.push(`${(probability * 100).toFixed(1)}% chance of touching ${threshold} within ${horizon} days (alert at ${alert * 100}%)`);
    if (daysToThreshold !== null && daysToThreshold <= horizon) reasons.push(`the trend reaches ${threshold} in ${daysToThreshold.toFixed(1)} days`);
  }
  return {
    horizonDays: horizon,
    threshold,
    bandLevel,
    lastRatio: last.ratio,
    lastTime: last.time,
    trendPerDay: mu,
    volatilityPerSqrtDay: sigma,
    path,
    daysToThreshold,
    probabilityOfThresholdWithinHorizon: probability,
    leadingIndicator: reasons.length > 0,
    reasons,
  };
}
