import { forecastRatio } from '../../server/risk';

describe('forecastRatio', () => {
  const DAY = 86_400;
  it('a steady decline: trend, time to threshold and the flag', () => {
    // r_k = 2 e^{-0.05 k}, k = 0..10: mu = -0.05 a day, sigma = 0. Last ratio 2 e^{-0.5} = 1.2131.
    // ln(1 / 1.2131) = -0.19315 -> reached in 0.19315 / 0.05 = 3.863 days.
    const history = Array.from({ length: 11 }, (_, k) => ({ time: k * DAY, ratio: 2 * Math.exp(-0.05 * k) }));
    const f = forecastRatio(history, { horizonDays: 7, threshold: 1 });
    expect(f.trendPerDay).toBeCloseTo(-0.05, 12);
    expect([f.horizonDays, f.threshold, f.bandLevel]).toEqual([7, 1, 0.9]);
    expect(f.volatilityPerSqrtDay).toBeCloseTo(0, 9);
    expect(f.daysToThreshold).toBeCloseTo((0.5 - Math.log(2)) / -0.05, 9);
    expect(f.path).toHaveLength(7);
    expect(f.path[0]!.median).toBeCloseTo(2 * Math.exp(-0.55), 9);
    expect(f.probabilityOfThresholdWithinHorizon).toBe(1);
    expect(f.leadingIndicator).toBe(true);
  });

  it('a rising ratio far above the threshold raises no flag', () => {
    const history = Array.from({ length: 30 }, (_, k) => ({ time: k * DAY, ratio: 3 * Math.exp(0.01 * k + (k % 2 ? 0.005 : -0.005)) }));
    const f = forecastRatio(history, { horizonDays: 7, threshold: 1 });
    expect(f.trendPerDay).toBeGreaterThan(0);
    expect(f.daysToThreshold).toBeNull();
    expect(f.probabilityOfThresholdWithinHorizon).toBeLessThan(1e-6);
    expect(f.leadingIndicator).toBe(false);
    for (const p of f.path) expect(p.low).toBeLessThanOrEqual(p.median);
  });

  it('needs at least three observations', () => {
    expect(() => forecastRatio([{ time: 0, ratio: 1 }])).toThrow(expect.objectContaining({ code: 'RISK_TOO_LITTLE_HISTORY' }));
  });
});
