/** Property tests (fast-check) over random small portfolios. */
import fc from 'fast-check';
import { Decimal } from '../../server/numeric/decimal';
import { debtRank, eisenbergNoe, monteCarloRisk, quantileSorted, stressTest, type LendingAccount, type PerpPosition, type Portfolio, type Position } from '../../server/risk';
import { dec } from './fixtures';

const VENUES = [{ protocol: 'dydx', network: 'ethereum' }, { protocol: 'gmx-v1', network: 'arbitrum-one' }, { protocol: 'aave-v3', network: 'ethereum' }];
const micro = (min: number, max: number) => fc.integer({ min, max }).map((x) => Decimal.fromBigInt(BigInt(x)));

const perp: fc.Arbitrary<PerpPosition> = fc
  .record({
    venue: fc.integer({ min: 0, max: 1 }),
    asset: fc.constantFrom('ETH', 'BTC'),
    side: fc.constantFrom<'long' | 'short'>('long', 'short'),
    size: micro(100, 1_000_000),
    leverage: fc.integer({ min: 1, max: 50 }),
    sameAssetCollateral: fc.boolean(),
    mmr: fc.constantFrom(0.005, 0.01, 0.05),
  })
  .map((r) => ({
    kind: 'perp' as const,
    venue: VENUES[r.venue]!,
    account: 'p',
    asset: r.asset,
    side: r.side,
    sizeUsd: r.size,
    collateralUsd: r.size.dividedBy(Decimal.fromBigInt(BigInt(r.leverage)), 6)!,
    collateralAsset: r.sameAssetCollateral && r.side === 'long' ? r.asset : 'USDC',
    entryPrice: dec(r.asset === 'ETH' ? '2000' : '60000'),
    maintenanceMarginRate: r.mmr,
  }));

const lending: fc.Arbitrary<LendingAccount> = fc
  .record({ eth: micro(0, 1_000_000), btc: micro(0, 1_000_000), ltv: fc.integer({ min: 10, max: 95 }), lt: fc.constantFrom(0.75, 0.8, 0.86), bonus: fc.constantFrom(0.05, 0.1) })
  .map((r) => ({
    kind: 'lending' as const,
    venue: VENUES[2]!,
    account: 'l',
    collateral: [
      { asset: 'ETH', valueUsd: r.eth, liquidationThreshold: r.lt, liquidationBonus: r.bonus },
      { asset: 'BTC', valueUsd: r.btc, liquidationThreshold: r.lt, liquidationBonus: r.bonus },
    ],
    debt: [{ asset: 'USDC', valueUsd: r.eth.plus(r.btc).times(Decimal.fromBigInt(BigInt(r.ltv))).dividedBy(dec('100'), 6)! }],
  }));

const portfolioOf = (positions: Position[]): Portfolio => ({
  assets: {
    ETH: { price: dec('2000'), depthUsd: dec('2000000') },
    BTC: { price: dec('60000'), depthUsd: dec('5000000') },
    USDC: { price: dec('1'), stable: true },
  },
  positions,
  pools: [{ venue: VENUES[1]!, holdings: [{ asset: 'ETH', valueUsd: dec('5000000') }, { asset: 'USDC', valueUsd: dec('5000000') }] }],
});
const positions = fc.array(fc.oneof(perp, lending), { minLength: 1, maxLength: 30 });

describe('stress properties', () => {
  // A drop is the adverse move for longs and borrowers against volatile collateral (shorts gain from it).
  const exposedToDrops = fc.array(fc.oneof(perp.map((p) => ({ ...p, side: 'long' as const })), lending), { minLength: 1, maxLength: 30 });

  it('a larger market-wide drop never liquidates less', () => {
    fc.assert(
      fc.property(exposedToDrops, fc.double({ min: 0, max: 0.9, noNaN: true }), fc.double({ min: 0, max: 0.9, noNaN: true }), (ps, a, b) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const p = portfolioOf(ps);
        const s = stressTest(p, { marketWide: -small });
        const l = stressTest(p, { marketWide: -large });
        expect(l.total.liquidatedPositions).toBeGreaterThanOrEqual(s.total.liquidatedPositions);
        expect(l.total.liquidatedObligationsUsd.toNumber()).toBeGreaterThanOrEqual(s.total.liquidatedObligationsUsd.toNumber() * (1 - 1e-12));
      }),
      { numRuns: 150 },
    );
  });

  it('a zero shock changes nothing on a portfolio that is healthy now', () => {
    fc.assert(
      fc.property(positions, (ps) => {
        const healthy = ps.filter((_, i) => stressTest(portfolioOf([ps[i]!]), { marketWide: 0, cascade: false }).total.liquidatedPositions === 0);
        fc.pre(healthy.length > 0);
        const q = portfolioOf(healthy);
        const r = stressTest(q, { marketWide: 0 });
        expect(r.rounds).toBe(0);
        expect(r.total.liquidatedPositions).toBe(0);
        expect(String(r.total.after.bufferUsd)).toBe(String(r.total.before.bufferUsd));
        for (const v of r.venues) expect(String(v.after.ratio)).toBe(String(v.before.ratio));
      }),
      { numRuns: 100 },
    );
  });

  it('shortfall is never negative and the cascade ends', () => {
    fc.assert(
      fc.property(positions, fc.double({ min: -0.95, max: 2, noNaN: true }), fc.double({ min: -0.95, max: 2, noNaN: true }), (ps, eth, btc) => {
        const r = stressTest(portfolioOf(ps), { moves: { ETH: eth, BTC: btc }, maxRounds: 10_000 });
        expect(r.rounds).toBeLessThanOrEqual(ps.length);
        expect(r.total.liquidatedPositions).toBeLessThanOrEqual(ps.length);
        expect(r.total.shortfallUsd.isNegative()).toBe(false);
        for (const v of r.venues) expect(v.shortfallUsd.isNegative()).toBe(false);
      }),
      { numRuns: 150 },
    );
  });
});

describe('statistical properties', () => {
  it('VaR grows with confidence', () => {
    fc.assert(
      fc.property(positions, fc.integer({ min: 1, max: 1000 }), (ps, seed) => {
        const r = monteCarloRisk(portfolioOf(ps), { volatility: { ETH: 0.9, BTC: 0.6 }, correlation: { assets: ['ETH', 'BTC'], matrix: [[1, 0.7], [0.7, 1]] }, paths: 300, seed });
        expect(r.total.var99.value).toBeGreaterThanOrEqual(r.total.var95.value);
        expect(r.total.var95.value).toBeGreaterThanOrEqual(0);
        expect(r.total.lar99.value).toBeGreaterThanOrEqual(r.total.lar95.value);
      }),
      { numRuns: 40 },
    );
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e9, max: 1e9 }), { minLength: 1 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const sorted = xs.slice().sort((x, y) => x - y);
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        expect(quantileSorted(sorted, hi)).toBeGreaterThanOrEqual(quantileSorted(sorted, lo));
      }),
    );
  });

  it('DebtRank stays in [0, 1], never lowers a distress, and ends within n + 1 steps', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(
        fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      )), ([impact, initial]) => {
        const { distress, iterations } = debtRank(impact, initial);
        distress.forEach((h, i) => {
          expect(h).toBeGreaterThanOrEqual(initial[i]!);
          expect(h).toBeLessThanOrEqual(1);
        });
        expect(iterations).toBeLessThanOrEqual(initial.length + 1);
      }),
    );
  });

  it('Eisenberg-Noe pays at most what is owed and its shortfall is never negative', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(
        fc.array(micro(0, 1000), { minLength: n, maxLength: n }),
        fc.array(fc.array(micro(0, 1000), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
      )), ([e, L]) => {
        const r = eisenbergNoe({ nodes: e.map((_, i) => String(i)), externalAssetsUsd: e, liabilitiesUsd: L });
        expect(r.shortfallUsd.isNegative()).toBe(false);
        r.paidUsd.forEach((p, i) => expect(p.compare(r.owedUsd[i]!) <= 0 && !p.isNegative()).toBe(true));
      }),
    );
  });
});
