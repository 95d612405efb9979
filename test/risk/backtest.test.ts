import { Decimal } from '../../server/numeric/decimal';
import {
  SeededRandom,
  backtestForecast,
  backtestMonteCarlo,
  compilePortfolio,
  curveBacktest,
  quantileExceedances,
  simulatePaths,
  bandCoverage,
  chiSquare1Survival,
  christoffersenIndependence,
  crossingHitRate,
  exceedanceBacktest,
  kupiecPof,
  normalQuantile,
} from '../../server/risk';

// Hand-computed (0 ln 0 = 0; p-value erfc(sqrt(LR / 2)), the chi-square(1) tail).
describe('Kupiec proportion of failures', () => {
  it('10 exceedances of a 99% VaR in 250 days: rejected', () => {
    // LR = -2 [240 ln 0.99 + 10 ln 0.01 - 240 ln 0.96 - 10 ln 0.04] = 12.955491
    const t = kupiecPof(250, 10, 0.01);
    expect(t.statistic).toBeCloseTo(12.955491062, 8);
    expect(t.pValue).toBeCloseTo(0.000318985, 6);
    expect(t.observedRate).toBe(0.04);
  });
  it('2 in 250: not rejected', () => {
    const t = kupiecPof(250, 2, 0.01);
    expect(t.statistic).toBeCloseTo(0.108435216, 8);
    expect(t.pValue).toBeCloseTo(0.741932701, 6);
  });
  it('no exceedance at all: LR = -2 n ln(1 - p)', () => {
    const t = kupiecPof(100, 0, 0.05);
    expect(t.statistic).toBeCloseTo(10.258658878, 8);
    expect(t.pValue).toBeCloseTo(0.001360445, 6);
  });
  it('the expected count exactly: LR 0, p-value 1', () => {
    expect(kupiecPof(1000, 50, 0.05)).toMatchObject({ statistic: 0, pValue: 1 });
  });
  it('bad input is the caller\'s', () => {
    expect(() => kupiecPof(10, 11, 0.05)).toThrow(expect.objectContaining({ code: 'RISK_BAD_INPUT' }));
    expect(() => kupiecPof(10, 1, 1)).toThrow(expect.objectContaining({ code: 'RISK_BAD_INPUT' }));
  });
});

describe('Christoffersen independence', () => {
  it('transitions and LR of a short hand sequence', () => {
    // 0 0 1 1 1 0 0 0 0 1 1 0: n00 4, n01 2, n10 2, n11 3; pi01 1/3, pi11 3/5, pi 5/11.
    const seq = [0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0].map(Boolean);
    const t = christoffersenIndependence(seq);
    expect(t.transitions).toEqual([4, 2, 2, 3]);
    expect(t.hitAfterNoHit).toBeCloseTo(1 / 3, 12);
    expect(t.hitAfterHit).toBeCloseTo(0.6, 12);
    expect(t.statistic).toBeCloseTo(0.789916557, 8);
    expect(t.pValue).toBeCloseTo(0.374125358, 6);
  });
  it('no hit after a hit in a sequence without hits: no conditional rate, LR 0', () => {
    const t = christoffersenIndependence([false, false, false]);
    expect(t).toMatchObject({ statistic: 0, pValue: 1, hitAfterHit: null });
  });
});

describe('chi-square(1) tail', () => {
  it('at the 5% and 1% critical values', () => {
    expect(chiSquare1Survival(3.841458821)).toBeCloseTo(0.05, 6);
    expect(chiSquare1Survival(6.634896601)).toBeCloseTo(0.01, 6);
  });
});

/** Standard normal losses; a hit when a loss exceeds the model's q-quantile for a normal of stdev `modelSigma`. */
function hitsOf(seed: number, n: number, confidence: number, modelSigma: number): boolean[] {
  const rng = new SeededRandom(seed);
  const threshold = modelSigma * normalQuantile(confidence);
  return Array.from({ length: n }, () => rng.normal() > threshold);
}

describe('synthetic series with known exceedance rates', () => {
  const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);
  it('a correct 99% VaR passes Kupiec at 5% on (nearly) every seed; one that underestimates the volatility by 30% fails on every seed', () => {
    let correctRejected = 0;
    let biasedRejected = 0;
    for (const seed of SEEDS) {
      if (kupiecPof(2000, hitsOf(seed, 2000, 0.99, 1).filter(Boolean).length, 0.01).pValue < 0.05) correctRejected++;
      // Model sigma 0.7: true exceedance rate P(Z > 0.7 x 2.326) = 5.2%, not 1%.
      if (kupiecPof(2000, hitsOf(seed, 2000, 0.99, 0.7).filter(Boolean).length, 0.01).pValue < 0.05) biasedRejected++;
    }
    // A correct model is rejected at 5% with probability 5%: about 1 of 20 seeds; 4 or more has probability < 2%.
    expect(correctRejected).toBeLessThanOrEqual(3);
    expect(biasedRejected).toBe(SEEDS.length);
  });

  it('independent hits pass Christoffersen; clustered hits at about the right rate fail it', () => {
    const iid = hitsOf(3, 5000, 0.95, 1);
    expect(christoffersenIndependence(iid).pValue).toBeGreaterThan(0.05);
    // A two-state Markov chain: P(hit | no hit) = 0.025, P(hit | hit) = 0.525; stationary rate 0.025 / (1 - 0.525 + 0.025) = 5%.
    const rng = new SeededRandom(3);
    const clustered: boolean[] = [];
    let previous = false;
    for (let t = 0; t < 5000; t++) {
      previous = rng.next() < (previous ? 0.525 : 0.025);
      clustered.push(previous);
    }
    const tests = exceedanceBacktest(clustered, 0.05);
    // Kupiec sees only the count (near 5%; clustering widens its spread, so no p-value claim here); independence sees the clusters.
    expect(Math.abs(tests.kupiec.observedRate - 0.05)).toBeLessThan(0.015);
    expect(tests.christoffersen.hitAfterHit!).toBeGreaterThan(0.4);
    expect(tests.christoffersen.pValue).toBeLessThan(0.001);
    expect(tests.conditionalCoverage.pValue).toBeLessThan(0.001);
  });

  it('a 90% band of the right width covers about 90% and passes; a band too narrow fails', () => {
    const rng = new SeededRandom(11);
    const z = normalQuantile(0.95);
    const realised = Array.from({ length: 3000 }, () => rng.normal());
    const right = bandCoverage(realised.map((r) => ({ low: -z, high: z, realised: r })), 0.9);
    expect(Math.abs(right.coverage - 0.9)).toBeLessThan(0.02);
    expect(right.kupiec.pValue).toBeGreaterThan(0.05);
    expect(right.below + right.above).toBe(right.kupiec.exceedances);
    const narrow = bandCoverage(realised.map((r) => ({ low: -1, high: 1, realised: r })), 0.9); // a 68% band stated as 90%
    expect(narrow.coverage).toBeLessThan(0.72);
    expect(narrow.kupiec.pValue).toBeLessThan(1e-6);
  });
});

describe('threshold-crossing hit rate', () => {
  it('counts hits, misses and false alarms, and the Brier score', () => {
    const r = crossingHitRate([
      { predicted: true, probability: 0.8, happened: true },
      { predicted: true, probability: 0.6, happened: false },
      { predicted: false, probability: 0.1, happened: true },
      { predicted: false, probability: 0, happened: false },
    ]);
    expect(r).toMatchObject({ predictions: 4, hits: 1, misses: 1, falseAlarms: 1, hitRate: 0.5, falseAlarmRatio: 0.5, observedRate: 0.5 });
    // (0.04 + 0.36 + 0.81 + 0) / 4
    expect(r.brierScore).toBeCloseTo(0.3025, 12);
    expect(r.meanProbability).toBeCloseTo(0.375, 12);
  });
  it('no crossing happened and none predicted: rates are null, not 0', () => {
    expect(crossingHitRate([{ predicted: false, probability: 0.01, happened: false }])).toMatchObject({ hitRate: null, falseAlarmRatio: null });
  });
});

describe('backtestForecast over a ratio history', () => {
  const HOUR = 3600;
  /** ln(ratio) a random walk with hourly steps of stdev sigmaAt(k), from ratio `start`. */
  function walk(seed: number, n: number, start: number, sigmaAt: (k: number) => number, driftPerStep = 0) {
    const rng = new SeededRandom(seed);
    let x = Math.log(start);
    return Array.from({ length: n }, (_, k) => {
      if (k > 0) x += driftPerStep + sigmaAt(k) * rng.normal();
      return { time: k * HOUR, ratio: Math.exp(x) };
    });
  }
  const options = { window: 72, horizonSteps: 1, confidence: 0.95, bandLevel: 0.9, threshold: 1 };

  it('the model is right (a steady random walk): the quantile and the band pass at their stated levels', () => {
    const r = backtestForecast(walk(21, 2072, 1.5, () => 0.01), options);
    expect(r.forecasts).toBe(2000);
    expect(r.horizonDays).toBeCloseTo(1 / 24, 12);
    expect(r.quantile.kupiec.pValue).toBeGreaterThan(0.05);
    expect(r.quantile.christoffersen.pValue).toBeGreaterThan(0.05);
    expect(Math.abs(r.band.coverage - 0.9)).toBeLessThan(0.02);
    expect(r.band.kupiec.pValue).toBeGreaterThan(0.05);
  });

  it('volatility that switches between calm and wild every 100 hours: exceedances come too often and in clusters', () => {
    const r = backtestForecast(walk(21, 2072, 1.5, (k) => (Math.floor(k / 100) % 2 ? 0.04 : 0.004)), options);
    expect(r.quantile.kupiec.observedRate).toBeGreaterThan(0.05);
    expect(r.quantile.christoffersen.pValue).toBeLessThan(0.01);
    expect(r.band.kupiec.pValue).toBeLessThan(0.01);
  });

  it('a ratio drifting down through the threshold: the leading indicator is up before it is crossed', () => {
    // From 1.3, -0.002 per hour: crosses 1 after about 131 hours.
    const r = backtestForecast(walk(4, 300, 1.3, () => 0.001, -0.002), { ...options, horizonSteps: 24 });
    expect(r.crossings.hits + r.crossings.misses).toBeGreaterThan(0);
    expect(r.crossings.hitRate).toBe(1);
    expect(r.crossings.threshold).toBe(1);
  });

  it('too little history for two forecasts is RISK_TOO_LITTLE_HISTORY', () => {
    expect(() => backtestForecast(walk(1, 73, 1.5, () => 0.01), options)).toThrow(expect.objectContaining({ code: 'RISK_TOO_LITTLE_HISTORY' }));
  });
});

describe('Monte Carlo LaR backtest on a synthetic world', () => {
  // 100 longs on ETH at 1000, liquidation prices 850 to 997.5: the liquidated size is nearly continuous in the price.
  const positions = Array.from({ length: 100 }, (_, i) => ({
    kind: 'perp' as const,
    venue: { protocol: 'p', network: 'n' },
    account: `a${i}`,
    asset: 'ETH',
    side: 'long' as const,
    sizeUsd: Decimal.parse('1000'),
    collateralUsd: Decimal.parse(String(150 - 1.5 * i)),
    entryPrice: Decimal.parse('1000'),
    liquidationPrice: Decimal.parse(String(850 + 1.5 * i)),
  }));
  const portfolio = compilePortfolio({ assets: { ETH: { price: Decimal.parse('1000') } }, positions });
  const horizonDays = 1;
  const trueVolatility = 0.8;
  // The world: the price moves by a lognormal factor with the true volatility; what is liquidated and lost is valued
  // as the simulation values a path (one path, no volatility, the factor as drift).
  const world = new SeededRandom(77);
  const sd = trueVolatility * Math.sqrt(horizonDays / 365);
  const steps = Array.from({ length: 250 }, (_, t) => {
    const factor = Math.exp(-(sd * sd) / 2 + sd * world.normal());
    const realised = simulatePaths(portfolio, { volatility: {}, drift: { ETH: (Math.log(factor) * 365) / horizonDays }, horizonDays, paths: 1 });
    return { time: t * 86_400, factor, liquidations: realised.totalLiquidations[0]!, insolvency: realised.totalInsolvency[0]! };
  });
  const run = (volatility: number) =>
    backtestMonteCarlo(
      steps.map((s) => ({ time: s.time, portfolio, volatility: { ETH: volatility }, realisedLiquidationsUsd: s.liquidations, realisedInsolvencyUsd: s.insolvency })),
      { horizonDays, paths: 2000, seed: 5, confidence: 0.95 },
    );

  it('the world is what it says: a realised liquidation is the positions whose price the factor passed, at the moved size', () => {
    const s = steps.find((x) => x.factor < 0.95 && x.factor > 0.9)!;
    const price = 1000 * s.factor;
    const hand = positions.filter((p) => price <= Number(p.liquidationPrice.toString())).length * 1000 * s.factor;
    expect(s.liquidations).toBeCloseTo(hand, 6);
  });

  it('a correct model passes Kupiec and Christoffersen at its level', () => {
    const r = run(trueVolatility);
    expect(r.liquidations.kupiec.observations).toBe(250);
    expect(r.liquidations.kupiec.observedRate).toBeGreaterThan(0.02);
    expect(r.liquidations.kupiec.observedRate).toBeLessThan(0.09);
    expect(r.liquidations.kupiec.pValue).toBeGreaterThan(0.05);
    expect(r.liquidations.christoffersen.pValue).toBeGreaterThan(0.05);
    expect(r.liquidations.confidence).toBe(0.95);
  });

  it('a model with half the volatility fails Kupiec: its LaR is exceeded far more often than 5%', () => {
    const r = run(trueVolatility / 2);
    expect(r.liquidations.kupiec.observedRate).toBeGreaterThan(0.12);
    expect(r.liquidations.kupiec.pValue).toBeLessThan(0.01);
    expect(r.insolvency.kupiec.observedRate).toBeGreaterThanOrEqual(r.liquidations.kupiec.observedRate - 0.1);
  });

  it('a model with twice the volatility is rejected too: almost never exceeded', () => {
    const r = run(trueVolatility * 2);
    expect(r.liquidations.kupiec.observedRate).toBeLessThan(0.01);
    expect(r.liquidations.kupiec.pValue).toBeLessThan(0.05);
  });
});

describe('quantile exceedances and the curve backtest', () => {
  it('an exceedance is realised above predicted, strictly', () => {
    const q = quantileExceedances(
      [
        { time: 0, predicted: 10, realised: 10 },
        { time: 1, predicted: 10, realised: 11 },
        { time: 2, predicted: 0, realised: 0 },
        { time: 3, predicted: 5, realised: 1 },
      ],
      0.9,
    );
    expect(q.points.map((p) => p.exceeded)).toEqual([false, true, false, false]);
    expect(q.kupiec).toMatchObject({ observations: 4, exceedances: 1 });
    expect(q.meanPredicted).toBe(6.25);
    expect(q.meanRealised).toBe(5.5);
    expect(() => quantileExceedances([{ time: 0, predicted: 1, realised: 0 }], 0.95)).toThrow(expect.objectContaining({ code: 'RISK_TOO_LITTLE_HISTORY' }));
  });
  it('buckets by move, with sums, mean absolute error and realised over predicted', () => {
    const r = curveBacktest([
      { time: 0, asset: 'ETH', move: -0.15, predicted: 8500, realised: 10000 },
      { time: 1, asset: 'ETH', move: -0.12, predicted: 1000, realised: 0 },
      { time: 2, asset: 'BTC', move: 0.03, predicted: 0, realised: 200 },
      { time: 3, asset: 'ETH', move: 0.25, predicted: 100, realised: 100 },
    ]);
    expect(r.buckets).toEqual([
      { fromMove: -0.2, toMove: -0.1, observations: 2, predictedUsd: 9500, realisedUsd: 10000, meanAbsoluteErrorUsd: 1250, realisedToPredicted: 10000 / 9500 },
      { fromMove: 0.02, toMove: 0.05, observations: 1, predictedUsd: 0, realisedUsd: 200, meanAbsoluteErrorUsd: 200, realisedToPredicted: null },
      { fromMove: 0.2, toMove: null, observations: 1, predictedUsd: 100, realisedUsd: 100, meanAbsoluteErrorUsd: 0, realisedToPredicted: 1 },
    ]);
    expect(r).toMatchObject({ observations: 4, predictedUsd: 9600, realisedUsd: 10300, meanAbsoluteErrorUsd: (1500 + 1000 + 200) / 4 });
  });
});
