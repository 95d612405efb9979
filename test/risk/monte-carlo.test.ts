import { annualisedVolatility, cholesky, correlationMatrix, monteCarloRisk, normalCdf, normalQuantile, quantileInterval, quantileSorted, SeededRandom, type Portfolio } from '../../server/risk';
import { dec, longEth } from './fixtures';

describe('statistics', () => {
  it('empirical quantile and its order-statistic interval', () => {
    const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantileSorted(sorted, 0.95)).toBe(95); // rank ceil(95) = 95
    expect(quantileSorted(sorted, 0.991)).toBe(100); // rank ceil(99.1) = 100
    // ranks 95 -+ 1.96 sqrt(100 x 0.95 x 0.05) = 95 -+ 4.27 -> 90 and 100.
    expect(quantileInterval(sorted, 0.95)).toEqual({ low: 90, high: 100 });
  });

  it('volatility and correlation from price history', () => {
    // Log returns of 100 -> 110 -> 99: ln 1.1 = 0.0953102, ln 0.9 = -0.1053605; their sample variance
    // is (0.0953102 + 0.1053605)^2 / 2 = 0.0201343; daily sd 0.1418955; x sqrt(365) annualised.
    expect(annualisedVolatility([100, 110, 99])).toBeCloseTo(Math.sqrt(((Math.log(1.1) - Math.log(0.9)) ** 2) / 2) * Math.sqrt(365), 12);
    // Same returns -> 1; mirrored returns -> -1.
    const m = correlationMatrix([[1, 2, 3], [10, 20, 30], [3, 1.5, 1]]);
    expect(m[0]![1]).toBeCloseTo(1, 12);
    expect(m[0]![0]).toBe(1);
    expect(() => annualisedVolatility([1, 2])).toThrow(expect.objectContaining({ code: 'RISK_TOO_LITTLE_HISTORY' }));
  });

  it('normal distribution', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });

  it('Cholesky of [[1, .5], [.5, 1]] is [[1, 0], [.5, sqrt(.75)]]', () => {
    const L = cholesky([[1, 0.5], [0.5, 1]]);
    expect(L[0]).toEqual([1, 0]);
    expect(L[1]![0]).toBeCloseTo(0.5, 15);
    expect(L[1]![1]).toBeCloseTo(Math.sqrt(0.75), 15);
    expect(() => cholesky([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])).toThrow(expect.objectContaining({ code: 'RISK_NOT_POSITIVE_DEFINITE' }));
  });

  it('seeded generator is reproducible', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(new SeededRandom(8).next()).not.toBe(xs[0]);
  });
});

describe('monteCarloRisk', () => {
  // One long: shortfall(x) = max(0, 9000 - 10000 x); liquidated (size 10000 x) when x <= 0.925.
  const portfolio: Portfolio = {
    assets: { ETH: { price: dec('2000') }, USDC: { price: dec('1'), stable: true } },
    positions: [longEth],
  };
  const sigma = 2; // annualised, deliberately high so that a day has a visible tail
  const s = sigma * Math.sqrt(1 / 365);
  const xAt = (z: number) => Math.exp(-(s * s) / 2 + s * z); // GBM factor at normal quantile z
  const result = monteCarloRisk(portfolio, { volatility: { ETH: sigma }, paths: 40_000, seed: 42 });

  it('VaR matches the closed form for one position', () => {
    // VaR_q = 9000 - 10000 x(z_{1-q}): 95% -> z = -1.645, 99% -> z = -2.326.
    const var95 = 9000 - 10000 * xAt(normalQuantile(0.05));
    const var99 = 9000 - 10000 * xAt(normalQuantile(0.01));
    expect(result.total.var95.value).toBeGreaterThan(var95 * 0.95);
    expect(result.total.var95.value).toBeLessThan(var95 * 1.05);
    expect(result.total.var99.value).toBeGreaterThan(var99 * 0.95);
    expect(result.total.var99.value).toBeLessThan(var99 * 1.05);
    expect(result.total.var99.low).toBeLessThanOrEqual(result.total.var99.value);
    expect(result.total.var99.high).toBeGreaterThanOrEqual(result.total.var99.value);
  });

  it('LaR95 matches the closed form', () => {
    // P(liquidated) = P(x <= 0.925) = Phi((ln .925 + s^2/2) / s). The liquidated amount 10000 x
    // falls with x, so P(L <= v) = 1 - P(liq) + P(x <= v / 10000) = 0.95 gives x = x(z) with
    // Phi(z) = 0.95 - (1 - P(liq)).
    const pLiq = normalCdf((Math.log(0.925) + (s * s) / 2) / s);
    const lar95 = 10000 * xAt(normalQuantile(0.95 - (1 - pLiq)));
    expect(result.total.lar95.value).toBeGreaterThan(lar95 * 0.99);
    expect(result.total.lar95.value).toBeLessThan(lar95 * 1.01);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const again = monteCarloRisk(portfolio, { volatility: { ETH: sigma }, paths: 40_000, seed: 42 });
    expect(again.total).toEqual(result.total);
    const other = monteCarloRisk(portfolio, { volatility: { ETH: sigma }, paths: 40_000, seed: 43 });
    expect(other.total.var99.value).not.toBe(result.total.var99.value);
  });

  it('values multi-asset accounts path by path, consistently with the fast path', () => {
    // The same economic account written twice: USDC debt against ETH (fast path), and against
    // ETH plus a 0-valued BTC term with volatility (path by path). Same VaR.
    const mk = (extra: boolean): Portfolio => ({
      assets: { ETH: { price: dec('2000') }, BTC: { price: dec('60000') }, USDC: { price: dec('1'), stable: true } },
      positions: [{
        kind: 'lending', venue: { protocol: 'aave-v3', network: 'ethereum' }, account: 'a',
        collateral: [{ asset: 'ETH', valueUsd: dec('10000'), liquidationThreshold: 0.8, liquidationBonus: 0.05 }, ...(extra ? [{ asset: 'BTC', valueUsd: dec('0'), liquidationThreshold: 0.8, liquidationBonus: 0.05 }] : [])],
        debt: [{ asset: 'USDC', valueUsd: dec('9500') }],
      }],
    });
    const options = { volatility: { ETH: 1.5, BTC: 1 }, correlation: { assets: ['ETH', 'BTC'], matrix: [[1, 0.5], [0.5, 1]] }, paths: 5_000, seed: 3 };
    const fast = monteCarloRisk(mk(false), options).total;
    const slow = monteCarloRisk(mk(true), options).total;
    expect(slow.var99.value).toBeCloseTo(fast.var99.value, 6);
    expect(slow.lar95.value).toBeCloseTo(fast.lar95.value, 6);
  });
});
