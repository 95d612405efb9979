/** Statistics on floats: quantiles with confidence intervals, normal distribution, estimates from history. */
import { RiskError, badInput } from './errors';

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return values.length ? sum / values.length : 0;
}

/** Sample variance (n - 1 denominator). */
export function variance(values: ArrayLike<number>): number {
  const n = values.length;
  if (n < 2) return 0;
  const m = mean(values);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (values[i]! - m) ** 2;
  return sum / (n - 1);
}

/** Empirical quantile of sorted values: the smallest x with F(x) >= q (inverse of the empirical distribution). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw badInput('quantile of an empty sample');
  if (!(q >= 0 && q <= 1)) throw badInput(`quantile level ${q} must be in [0, 1]`);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1]!;
}

/**
 * Distribution-free confidence interval for the q-quantile from order
 * statistics: ranks nq -+ z sqrt(n q (1 - q)), the normal approximation of the
 * binomial count of sample points below the true quantile.
 */
export function quantileInterval(sorted: ArrayLike<number>, q: number, level = 0.95): { low: number; high: number } {
  const n = sorted.length;
  const z = normalQuantile(1 - (1 - level) / 2);
  const spread = z * Math.sqrt(n * q * (1 - q));
  const lowRank = Math.min(n, Math.max(1, Math.floor(n * q - spread)));
  const highRank = Math.min(n, Math.max(1, Math.ceil(n * q + spread)));
  return { low: sorted[lowRank - 1]!, high: sorted[highRank - 1]! };
}

/** Standard normal CDF via the complementary error function's Chebyshev-type fit (Numerical Recipes 2nd ed., section 6.2; fractional error < 1.2e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** Inverse of normalCdf by bisection (to 1e-10); used a handful of times per call, so speed does not matter. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw badInput(`normal quantile of ${p}; expected 0 < p < 1`);
  let lo = -40;
  let hi = 40;
  while (hi - lo > 1e-10) {
    const mid = (lo + hi) / 2;
    if (normalCdf(mid) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Log returns of a price series, in order. */
export function logReturns(prices: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < prices.length; i++) {
    if (!(prices[i - 1]! > 0 && prices[i]! > 0)) throw badInput(`price ${i} of a series is not positive`);
    out.push(Math.log(prices[i]! / prices[i - 1]!));
  }
  return out;
}

/**
 * Annualised volatility from prices sampled every `intervalDays` days:
 * stdev(log returns) x sqrt(daysPerYear / intervalDays). Crypto trades every day: daysPerYear = 365.
 */
export function annualisedVolatility(prices: readonly number[], intervalDays = 1, daysPerYear = 365): number {
  if (prices.length < 3) throw new RiskError('RISK_TOO_LITTLE_HISTORY', `volatility needs at least 3 prices, got ${prices.length}`);
  return Math.sqrt(variance(logReturns(prices)) * (daysPerYear / intervalDays));
}

/** Pearson correlation matrix of the log returns of series sampled at the same times. */
export function correlationMatrix(series: readonly (readonly number[])[]): number[][] {
  const returns = series.map((s) => logReturns(s as number[]));
  if ((returns[0]?.length ?? 0) < 2) throw new RiskError('RISK_TOO_LITTLE_HISTORY', 'correlation needs at least 3 prices per series');
  return returnsCorrelation(returns);
}

/** Pearson correlation matrix of return series taken over the same periods. */
export function returnsCorrelation(returns: readonly (readonly number[])[]): number[][] {
  const n = returns[0]?.length ?? 0;
  if (n < 2) throw new RiskError('RISK_TOO_LITTLE_HISTORY', 'correlation needs at least 2 returns per series');
  if (returns.some((r) => r.length !== n)) throw badInput('correlation needs series of equal length, sampled at the same times');
  const means = returns.map((r) => mean(r));
  const sd = returns.map((r) => Math.sqrt(variance(r)));
  return returns.map((ri, i) =>
    returns.map((rj, j) => {
      if (i === j) return 1;
      if (sd[i] === 0 || sd[j] === 0) return 0;
      let sum = 0;
      for (let t = 0; t < n; t++) sum += (ri[t]! - means[i]!) * (rj[t]! - means[j]!);
      return Math.max(-1, Math.min(1, sum / (n - 1) / (sd[i]! * sd[j]!)));
    }),
  );
}
