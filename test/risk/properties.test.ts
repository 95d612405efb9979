/** Property tests (fast-check) over random small portfolios. */
import fc from 'fast-check';
import { debtRank, eisenbergNoe, monteCarloRisk, price, quantileSorted, stressTest, type LendingAccount, type PerpPosition, type Portfolio, type Position } from '../../server/risk';

const VENUES = [{ protocol: 'dydx', network: 'ethereum' }, { protocol: 'gmx-v1', network: 'arbitrum-one' }, { protocol: 'aave-v3', network: 'ethereum' }];
const micro = (min: number, max: number) => fc.integer({ min, max }).map((x) => BigInt(x) * 1_000_000n);

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
    collateralUsd: r.size / BigInt(r.leverage),
    collateralAsset: r.sameAssetCollateral && r.side === 'long' ? r.asset : 'USDC',
    entryPrice: price(r.asset === 'ETH' ? '2000' : '60000'),
    maintenanceMarginRate: r.mmr,
    poolBacked: r.venue === 1,
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
    debt: [{ asset: 'USDC', valueUsd: ((r.eth + r.btc) * BigInt(r.ltv)) / 100n }],
  }));

const portfolioOf = (positions: Position[]): Portfolio => ({
  assets: {
    ETH: { price: dec('2000'), depthUsd: 2_000_000_000_000n },
    BTC: { price: dec('60000'), depthUsd: 5_000_000_000_000n },
    USDC: { price: dec('1'), stable: true },
  },
  positions,
  pools: [{ venue: VENUES[1]!, holdings: [{ asset: 'ETH', valueUsd: 5_000_000_000_000n }, { asset: 'USDC', valueUsd: 5_000_000_000_000n }] }],
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
        expect(l.total.liquidatedNotionalUsd >= s.total.liquidatedNotionalUsd).toBe(true);
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
        expect(r.total.after).toEqual(r.total.before);
        for (const v of r.venues) expect(v.after).toEqual(v.before);
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
        expect(r.total.shortfallUsd >= 0n).toBe(true);
        for (const v of r.venues) expect(v.shortfallUsd >= 0n).toBe(true);
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

  it('DebtRank stays in [0, 1]', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(
        fc.array(fc.double({ min: -100, max: 1000, noNaN: true }), { minLength: n, maxLength: n }),
        fc.array(fc.array(fc.double({ min: 0, max: 5000, noNaN: true }), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      )), ([equity, loss, initial]) => {
        const { distress } = debtRank(equity, loss, initial);
        for (const h of distress) {
          expect(h).toBeGreaterThanOrEqual(0);
          expect(h).toBeLessThanOrEqual(1);
        }
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
        expect(r.shortfallUsd >= 0n).toBe(true);
        r.paidUsd.forEach((p, i) => expect(p <= r.owedUsd[i]! && p >= 0n).toBe(true));
      }),
    );
  });
});
