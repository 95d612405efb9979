import { contagion, debtRank, eisenbergNoe, forecastRatio, price, usd, type Portfolio } from '../../server/risk';
import { AAVE, GMX } from './fixtures';

describe('contagion', () => {
  // Aave holds GLP (issued by GMX) as collateral: 1000 USD against 500 USDC debt -> equity 500.
  // GMX: pool 2000 USD of ETH, one pool-backed long 1000 with 100 collateral -> backing 2100, OI 1000, equity 1100.
  // The same account '0xab' is in both.
  const portfolio: Portfolio = {
    assets: {
      ETH: { price: dec('2000') },
      USDC: { price: dec('1'), stable: true },
      GLP: { price: dec('1'), issuedBy: GMX },
    },
    positions: [
      { kind: 'lending', venue: AAVE, account: '0xab', collateral: [{ asset: 'GLP', valueUsd: dec('1000'), liquidationThreshold: 0.5, liquidationBonus: 0 }], debt: [{ asset: 'USDC', valueUsd: dec('500') }] },
      { kind: 'perp', venue: GMX, account: '0xab', asset: 'ETH', side: 'long', sizeUsd: dec('1000'), collateralUsd: dec('100'), entryPrice: dec('2000'), liquidationPrice: dec('1900'), poolBacked: true },
    ],
    pools: [{ venue: GMX, holdings: [{ asset: 'ETH', valueUsd: dec('2000') }] }],
  };

  it('lists exposures by channel', () => {
    const r = contagion(portfolio, { kind: 'venue', venue: GMX, lossFraction: 0.2 });
    const token = r.exposures.filter((e) => e.channel === 'token');
    expect(token).toEqual([{ exposed: 'aave-v3/ethereum', source: 'gmx-v1/arbitrum-one', channel: 'token', asset: 'GLP', amountUsd: dec('1000'), lossAtFullDistressUsd: dec('1000') }]);
    const shared = r.exposures.filter((e) => e.channel === 'shared-accounts');
    // Aave side: the account's debt 500; GMX side: its notional 1000. No loss by default.
    expect(shared.map((e) => [e.exposed, e.amountUsd, e.lossAtFullDistressUsd])).toEqual([
      ['aave-v3/ethereum', dec('500'), 0n],
      ['gmx-v1/arbitrum-one', dec('1000'), 0n],
    ]);
    expect(r.exposures.filter((e) => e.channel === 'shared-collateral')).toEqual([]);
  });

  it('propagates by DebtRank', () => {
    // h_GMX = 0.2; Lambda_Aave,GMX = 1000 / 500 = 2 -> h_Aave = 0.4; nothing flows back.
    // Total = (0.4 x 500 + 0.2 x 1100) / 1600 = 0.2625; the shock alone = 220 / 1600 = 0.1375.
    const r = contagion(portfolio, { kind: 'venue', venue: GMX, lossFraction: 0.2 });
    const aave = r.nodes.find((n) => n.key === 'aave-v3/ethereum')!;
    expect(aave.equityUsd).toBe(dec('500'));
    expect(aave.distress).toBeCloseTo(0.4, 12);
    expect(aave.lossUsd).toBe(dec('200'));
    expect(r.totalImpact).toBeCloseTo(0.2625, 12);
    expect(r.debtRank).toBeCloseTo(0.125, 12);
    // A larger shock saturates Aave at 1: min(1, 2 x 0.8).
    const big = contagion(portfolio, { kind: 'venue', venue: GMX, lossFraction: 0.8 });
    expect(big.nodes.find((n) => n.key === 'aave-v3/ethereum')!.distress).toBe(1);
  });

  it('starts from an asset shock through the stress test', () => {
    // ETH -10%: GMX pool 2000 -> 1800 and the long's notional 1000 -> 900 (liquidated at 0.95? 0.9 <= 0.95, yes):
    // buffer before 1100; after: backing 1800 (pool) - 0 bad debt (100 + 900 - 1000 = 0), OI 0 -> 1800. Gains, no distress.
    const r = contagion(portfolio, { kind: 'asset', asset: 'ETH', move: -0.1 });
    expect(r.nodes.every((n) => n.initialDistress === 0)).toBe(true);
    expect(r.totalImpact).toBe(0);
  });

  it('DebtRank differential iteration on a two-node loop', () => {
    // Each loses 0.5 of its equity if the other fails fully: h0 = (1, 0) -> h1 = 0.5; then h0 already 1.
    const { distress } = debtRank([100, 100], [[0, 50], [50, 0]], [1, 0]);
    expect(distress).toEqual([1, 0.5]);
  });
});

describe('eisenbergNoe', () => {
  it('clears a chain A -> B -> C', () => {
    // A owes B 100 and has 50: pays 50. B has 20 + 50 = 70 and owes C 100: pays 70. Shortfall 50 + 30 = 80.
    const r = eisenbergNoe({
      nodes: ['A', 'B', 'C'],
      externalAssetsUsd: [dec('50'), dec('20'), 0n],
      liabilitiesUsd: [[0n, dec('100'), 0n], [0n, 0n, dec('100')], [0n, 0n, 0n]],
    });
    expect(r.paidUsd).toEqual([dec('50'), dec('70'), 0n]);
    expect(r.defaulted).toEqual([true, true, false]);
    expect(r.shortfallUsd).toBe(dec('80'));
  });

  it('a mutual debt clears in full (greatest fixed point)', () => {
    const r = eisenbergNoe({ nodes: ['A', 'B'], externalAssetsUsd: [0n, 0n], liabilitiesUsd: [[0n, dec('100')], [dec('100'), 0n]] });
    expect(r.paidUsd).toEqual([dec('100'), dec('100')]);
    expect(r.shortfallUsd).toBe(0n);
  });

  it('splits a defaulter pro rata', () => {
    // A has 60 and owes B 100 and C 50 (pbar 150): pays 60, 40 to B and 20 to C. B has 0 + 40, owes C 40: pays in full.
    const r = eisenbergNoe({
      nodes: ['A', 'B', 'C'],
      externalAssetsUsd: [dec('60'), 0n, 0n],
      liabilitiesUsd: [[0n, dec('100'), dec('50')], [0n, 0n, dec('40')], [0n, 0n, 0n]],
    });
    expect(r.paidUsd).toEqual([dec('60'), dec('40'), 0n]);
    expect(r.shortfallUsd).toBe(dec('90'));
  });
});

describe('forecastRatio', () => {
  const DAY = 86_400;
  it('a steady decline: trend, time to threshold and the flag', () => {
    // r_k = 2 e^{-0.05 k}, k = 0..10: mu = -0.05 a day, sigma = 0. Last ratio 2 e^{-0.5} = 1.2131.
    // ln(1 / 1.2131) = -0.19315 -> reached in 0.19315 / 0.05 = 3.863 days.
    const history = Array.from({ length: 11 }, (_, k) => ({ time: k * DAY, ratio: 2 * Math.exp(-0.05 * k) }));
    const f = forecastRatio(history, { horizonDays: 7, threshold: 1 });
    expect(f.trendPerDay).toBeCloseTo(-0.05, 12);
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
