/**
 * The one solvency model: headline figures, stress under each venue's rules,
 * distance to insolvency and contagion, on hand-computed portfolios
 * (test/risk/fixtures.ts). Every expected figure is worked out in the comment
 * beside it.
 */
import fc from 'fast-check';
import { Decimal } from '../../server/numeric/decimal';
import {
  contagion,
  debtRank,
  distanceToInsolvency,
  eisenbergNoe,
  solvency,
  stressTest,
  type LendingAccount,
  type PerpPosition,
  type Portfolio,
  type Position,
} from '../../server/risk';
import { AAVE, GMX, aaveBorrower, dec, longEth, smallPortfolio } from './fixtures';

const text = (d: Decimal | null) => (d === null ? null : d.toString());
const venue = (r: ReturnType<typeof stressTest>, key: string) => r.venues.find((v) => v.key === key)!;

describe('solvency: the one definition', () => {
  it('ratio is backing / obligations at 18 decimals, half to even; buffer is the difference', () => {
    const s = solvency({ backingUsd: dec('2'), obligationsUsd: dec('3') });
    expect(text(s.ratio)).toBe('0.666666666666666667');
    expect(text(s.bufferUsd)).toBe('-1');
    expect(solvency({ backingUsd: dec('1'), obligationsUsd: Decimal.ZERO }).ratio).toBeNull();
  });
});

describe('stressTest', () => {
  it('with no move returns the headline figures exactly, per venue and in total', () => {
    const r = stressTest(smallPortfolio(), {});
    for (const v of [...r.venues, r.total]) {
      expect(text(v.after.ratio)).toBe(text(v.before.ratio));
      expect(text(v.after.bufferUsd)).toBe(text(v.before.bufferUsd));
      expect(v.liquidatedPositions).toBe(0);
      expect(text(v.shortfallUsd)).toBe('0');
    }
    // dydx (trader margin): backing 1000 + 1000, obligations 10000 + 5000. Aave: 10000 against 6000.
    expect(text(venue(r, 'dydx/ethereum').before.bufferUsd)).toBe('-13000');
    expect(text(venue(r, 'aave-v3/ethereum').before.ratio)).toBe('1.666666666666666667');
  });

  it('a stated headline is the "before", and no move leaves it unchanged to the digit', () => {
    const p: Portfolio = { ...smallPortfolio(), venues: [{ venue: AAVE, model: 'OVERCOLLATERALIZED_LENDING', backingUsd: dec('10000.123456789012345678901'), obligationsUsd: dec('6000.5') }] };
    const a = venue(stressTest(p, { marketWide: 0 }), 'aave-v3/ethereum');
    expect(text(a.before.bufferUsd)).toBe('3999.623456789012345678901');
    expect(text(a.after.bufferUsd)).toBe('3999.623456789012345678901');
    expect(text(a.after.ratio)).toBe(text(a.before.ratio));
  });

  it('ETH -30% without cascade: perps closed whole, Aave closes 100% below health 0.95', () => {
    const r = stressTest(smallPortfolio(), { marketWide: -0.3, cascade: false });
    const dydx = venue(r, 'dydx/ethereum');
    // Long (liquidation factor 0.925) is liquidated at 0.7: equity 1000 + 10000 x 0.7 - 10000 = -2000, bad debt 2000.
    expect(dydx.liquidatedPositions).toBe(1);
    expect(text(dydx.shortfallUsd)).toBe('2000');
    // Obligations: 15000 - 10000 (the long) + 5000 x (0.7 - 1) (the short) = 3500.
    expect(text(dydx.after.obligationsUsd)).toBe('3500');
    // Backing: 2000 - 1000 (the long's margin leaves) + the short's PnL change 5000 x 0.3 = 2500.
    expect(text(dydx.after.backingUsd)).toBe('2500');
    const aave = venue(r, 'aave-v3/ethereum');
    // At 0.7: collateral 7000, weighted 5600, debt 6000: health 0.933 < 0.95, so one call repays all 6000
    // and seizes 6000 x 1.05 = 6300; 700 of collateral stays.
    expect(text(aave.liquidatedObligationsUsd)).toBe('6000');
    expect(text(aave.liquidatedCollateralUsd)).toBe('6300');
    expect(text(aave.after.backingUsd)).toBe('700');
    expect(text(aave.after.obligationsUsd)).toBe('0');
    expect(text(aave.shortfallUsd)).toBe('0');
  });

  it('Aave between health 0.95 and 1 repays only the 50% close factor, and stops once healthy', () => {
    // ETH -26%: collateral 7400, weighted 5920, debt 6000: health 0.9867. One call repays 3000, seizes 3150;
    // then collateral 4250 (weighted 3400) against 3000: health 1.13, no further call.
    // Liquidating the whole account would have repaid 6000.
    const aave = venue(stressTest(smallPortfolio(), { marketWide: -0.26, cascade: false }), 'aave-v3/ethereum');
    expect(text(aave.liquidatedObligationsUsd)).toBe('3000');
    expect(text(aave.liquidatedCollateralUsd)).toBe('3150');
    expect(text(aave.after.backingUsd)).toBe('4250');
    expect(text(aave.after.obligationsUsd)).toBe('3000');
    // The buffer lost the bonus only: 4000 - 0.26 x 10000 - 0.05 x 3000 = 1250.
    expect(text(aave.after.bufferUsd)).toBe('1250');
  });

  it('debt under 2000 USD is closed whole (Aave v3.3 MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD)', () => {
    // 3000 of ETH (LT 0.8) against 1900 USDC. ETH -21%: collateral 2370, weighted 1896 < 1900 (health 0.998, and
    // both above 2000... debt is not: 1900 < 2000 USD, so the close factor is already 100%, as it is when a 50% call
    // would leave less than 1000 of debt). The call repays all 1900, seizes 1995; 375 of collateral is left.
    const small: LendingAccount = { kind: 'lending', venue: AAVE, account: '0xc1', collateral: [{ asset: 'ETH', valueUsd: dec('3000'), liquidationThreshold: 0.8, liquidationBonus: 0.05 }], debt: [{ asset: 'USDC', valueUsd: dec('1900') }] };
    const p: Portfolio = { assets: smallPortfolio().assets, positions: [small] };
    const a = venue(stressTest(p, { marketWide: -0.21, cascade: false }), 'aave-v3/ethereum');
    expect(text(a.liquidatedObligationsUsd)).toBe('1900');
    expect(text(a.liquidatedCollateralUsd)).toBe('1995');
    expect(text(a.after.backingUsd)).toBe('375');
  });

  it('debt left when the collateral runs out is bad debt, and stays in the obligations', () => {
    // ETH -50%: collateral 5000 < 6000 x 1.05: all 5000 is seized, repaying 5000 / 1.05 = 4761.904761904 (truncated at
    // the tally's 9 decimals); the 1238.095238096 left is bad debt, owed with nothing behind it.
    const aave = venue(stressTest(smallPortfolio(), { marketWide: -0.5, cascade: false }), 'aave-v3/ethereum');
    expect(text(aave.liquidatedCollateralUsd)).toBe('5000');
    expect(text(aave.liquidatedObligationsUsd)).toBe('4761.904761904');
    expect(text(aave.shortfallUsd)).toBe('1238.095238096');
    expect(text(aave.after.backingUsd)).toBe('0');
    expect(text(aave.after.bufferUsd)).toBe('-1238.095238096');
  });

  it('a pool keeps liquidated collateral; its backing moves with its assets', () => {
    const long: PerpPosition = { ...longEth, venue: GMX };
    const p: Portfolio = { assets: smallPortfolio().assets, positions: [long], pools: [{ venue: GMX, holdings: [{ asset: 'ETH', valueUsd: dec('5000') }, { asset: 'USDC', valueUsd: dec('5000') }] }] };
    const g = venue(stressTest(p, { marketWide: -0.3 }), 'gmx-v1/arbitrum-one');
    expect(g.model).toBe('SHARED_POOL');
    // Before: pool 10000 against the long's 10000. After: the long is closed; pool 5000 x 0.7 + 5000 = 8500.
    expect(text(g.before.bufferUsd)).toBe('0');
    expect(text(g.after.backingUsd)).toBe('8500');
    expect(text(g.after.obligationsUsd)).toBe('0');
    expect(text(g.shortfallUsd)).toBe('2000');
  });

  it('positions liquidatable already are pending: carried, never liquidated by the stress, and counted', () => {
    const underwater: LendingAccount = { ...aaveBorrower, account: '0xd1', debt: [{ asset: 'USDC', valueUsd: dec('8500') }] }; // health 8000 / 8500
    const p: Portfolio = { assets: smallPortfolio().assets, positions: [underwater] };
    for (const move of [0, -0.2]) {
      const a = venue(stressTest(p, { marketWide: move }), 'aave-v3/ethereum');
      expect(a.pendingPositions).toBe(1);
      expect(a.liquidatedPositions).toBe(0);
    }
    // Its value still moves: -20% takes the collateral to 8000 against 8500.
    expect(text(venue(stressTest(p, { marketWide: -0.2 }), 'aave-v3/ethereum').after.bufferUsd)).toBe('-500');
  });
});

describe('zero shock is now (property)', () => {
  const amount = fc.integer({ min: 1, max: 10_000_000 }).chain((whole) => fc.integer({ min: 0, max: 999_999 }).map((frac) => dec(`${whole}.${String(frac).padStart(6, '0')}`)));
  const position: fc.Arbitrary<Position> = fc.oneof(
    fc.record({ size: amount, leverage: fc.integer({ min: 1, max: 40 }), side: fc.constantFrom<'long' | 'short'>('long', 'short'), venue: fc.constantFrom(GMX, { protocol: 'synthetix-perps-v2', network: 'optimism' }) }).map(
      (r): Position => ({ kind: 'perp', venue: r.venue, account: '0xp', asset: 'ETH', side: r.side, sizeUsd: r.size, collateralUsd: r.size.dividedBy(dec(String(r.leverage)), 6)!, entryPrice: dec('1900'), maintenanceMarginRate: 0.01 }),
    ),
    fc.record({ eth: amount, ltv: fc.integer({ min: 1, max: 99 }) }).map(
      (r): Position => ({ kind: 'lending', venue: AAVE, account: '0xl', collateral: [{ asset: 'ETH', valueUsd: r.eth, liquidationThreshold: 0.8, liquidationBonus: 0.05 }], debt: [{ asset: 'USDC', valueUsd: r.eth.times(dec(String(r.ltv))).dividedBy(dec('100'), 6)! }] }),
    ),
  );
  it('for random portfolios and headlines, a stress with no move equals the headline per venue and in total', () => {
    fc.assert(
      fc.property(fc.array(position, { minLength: 1, maxLength: 25 }), amount, amount, (positions, backing, obligations) => {
        const p: Portfolio = {
          ...smallPortfolio('1000000'),
          positions,
          pools: [{ venue: GMX, holdings: [{ asset: 'ETH', valueUsd: dec('250000.5') }] }],
          venues: [{ venue: AAVE, model: 'OVERCOLLATERALIZED_LENDING', backingUsd: backing, obligationsUsd: obligations }],
        };
        const r = stressTest(p, { marketWide: 0, moves: { ETH: 0 } });
        for (const v of [...r.venues, r.total]) {
          expect(text(v.after.ratio)).toBe(text(v.before.ratio));
          expect(text(v.after.bufferUsd)).toBe(text(v.before.bufferUsd));
          expect(text(v.shortfallUsd)).toBe('0');
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('distanceToInsolvency', () => {
  it('is the smallest fall at which the buffer after the cascade turns negative', () => {
    // The borrower alone: buffer 4000. Falls up to 37% leave it >= 0 (liquidation costs the 5% bonus, and from
    // health 0.95 down one call clears the debt: buffer 10000(1 - d) - 6300). Past 37% collateral < 6300: bad debt.
    const d = distanceToInsolvency({ assets: smallPortfolio().assets, positions: [aaveBorrower] });
    const down = d.venues[0]!.marketWide.insolvency.down.move!;
    expect(down).toBeGreaterThan(0.37);
    expect(down).toBeLessThanOrEqual(0.3702);
    expect(d.venues[0]!.marketWide.firstBadDebt.down.move).toBeCloseTo(down, 3);
    // A rise of ETH only helps a borrower against USDC.
    expect(d.venues[0]!.marketWide.insolvency.up.move).toBeNull();
    expect(d.venues[0]!.marketWide.insolvency.up.reason).toMatch(/no market-wide rise up to 400%/);
    expect(d.venues[0]!.perAsset.ETH!.insolvency.down.move).toBeCloseTo(down, 3);
  });

  it('is 0 only when the buffer is negative now; positive wherever the buffer is', () => {
    const underwater: LendingAccount = { ...aaveBorrower, debt: [{ asset: 'USDC', valueUsd: dec('12000') }] };
    const d = distanceToInsolvency({ assets: smallPortfolio().assets, positions: [underwater] });
    expect(d.venues[0]!.marketWide.insolvency.down).toEqual({ move: 0, reason: 'the buffer is negative now' });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), (debt) => {
        const a: LendingAccount = { ...aaveBorrower, debt: [{ asset: 'USDC', valueUsd: dec(String(debt)) }] };
        const r = distanceToInsolvency({ assets: smallPortfolio().assets, positions: [a] }, { gridSteps: 4 });
        const move = r.venues[0]!.marketWide.insolvency.down.move;
        expect(move === null || move > 0).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});

describe('distanceToInsolvency on a trader-margin venue', () => {
  it('is not measured (its backstop is not indexed), and says so; its first bad debt is', () => {
    // dydx here is TRADER_MARGIN: margin 2000 against 15000 of notional, a buffer negative by construction.
    const d = distanceToInsolvency(smallPortfolio(), { only: 'dydx/ethereum' }).venues[0]!;
    expect(d.marketWide.insolvency.down).toEqual({ move: null, reason: expect.stringMatching(/backstop.*not indexed/) });
    // The long (1000 of margin on 10000) has bad debt below x = 0.9, once liquidated at 0.925 or lower: a 10% fall.
    expect(d.marketWide.firstBadDebt.down.move).toBeGreaterThan(0.1);
    expect(d.marketWide.firstBadDebt.down.move).toBeLessThanOrEqual(0.1001);
  });
});

describe('DebtRank (Battiston et al. 2012)', () => {
  it('walks a chain once: 2 -> 1 -> 0', () => {
    // W[i][j]: impact of j on i. Node 0 is exposed to 1 (0.5), node 1 to 2 (0.4); node 2 fails.
    // t=1: 2 distressed, h1 = 0.4. t=2: 1 distressed, h0 = 0.5 x 0.4 = 0.2. t=3: 0 distressed, no one exposed to it.
    const r = debtRank([[0, 0.5, 0], [0, 0, 0.4], [0, 0, 0]], [0, 0, 1]);
    expect(r.distress[0]).toBeCloseTo(0.2, 12);
    expect(r.distress[1]).toBeCloseTo(0.4, 12);
    expect(r.distress[2]).toBe(1);
    expect(r.iterations).toBe(3);
  });

  it('does not reverberate around a loop: each node propagates once', () => {
    // 0 and 1 each 0.5 exposed to the other; 0 fails. t=1: h1 = 0.5. t=2: 1 distressed, but 0 is inactive.
    const r = debtRank([[0, 0.5], [0.5, 0]], [1, 0]);
    expect(r.distress).toEqual([1, 0.5]);
  });
});

describe('eisenbergNoe (greatest clearing vector)', () => {
  it('clears a chain: A owes B 10, B owes C 10, A has 5 outside', () => {
    // p_A = min(10, 5) = 5; p_B = min(10, 0 + 5) = 5; creditors lose 5 + 5.
    const r = eisenbergNoe({ nodes: ['A', 'B', 'C'], externalAssetsUsd: [dec('5'), dec('0'), dec('0')], liabilitiesUsd: [[dec('0'), dec('10'), dec('0')], [dec('0'), dec('0'), dec('10')], [dec('0'), dec('0'), dec('0')]] });
    expect(r.paidUsd.map(text)).toEqual(['5', '5', '0']);
    expect(text(r.shortfallUsd)).toBe('10');
  });

  it('a mutual debt with nothing outside clears in full (the greatest fixed point, not 0)', () => {
    const r = eisenbergNoe({ nodes: ['A', 'B'], externalAssetsUsd: [dec('0'), dec('0')], liabilitiesUsd: [[dec('0'), dec('10')], [dec('10'), dec('0')]] });
    expect(r.paidUsd.map(text)).toEqual(['10', '10']);
    expect(text(r.shortfallUsd)).toBe('0');
  });
});

describe('contagion over a portfolio', () => {
  // One account borrows on Aave against ETH and trades a long on a trader-margin venue; another venue holds ETH in a pool.
  const SNX = { protocol: 'synthetix-perps-v2', network: 'optimism' };
  const portfolio: Portfolio = {
    assets: smallPortfolio().assets,
    positions: [
      { ...aaveBorrower, account: '0xshared' },
      { kind: 'perp', venue: SNX, account: '0xshared', asset: 'ETH', side: 'short', sizeUsd: dec('1000'), collateralUsd: dec('3000'), entryPrice: dec('2000'), maintenanceMarginRate: 0.01 },
      { ...longEth, venue: GMX, account: '0xother', liquidationPrice: dec('1000') },
    ],
    pools: [{ venue: GMX, holdings: [{ asset: 'ETH', valueUsd: dec('20000') }, { asset: 'USDC', valueUsd: dec('20000') }] }],
  };

  it('an ETH crash reaches every venue that holds ETH, and spreads through shared accounts', () => {
    const r = contagion(portfolio, { kind: 'asset', asset: 'ETH', move: -0.45 });
    const node = (key: string) => r.nodes.find((n) => n.key === key)!;
    expect(node('aave-v3/ethereum').initialDistress).toBeGreaterThan(0);
    expect(node('gmx-v1/arbitrum-one').initialDistress).toBeGreaterThan(0);
    // The short gains from the fall: no direct loss on the margin venue, but the shared account's Aave loss reaches it.
    expect(node('synthetix-perps-v2/optimism').initialDistress).toBe(0);
    expect(node('synthetix-perps-v2/optimism').distress).toBeGreaterThan(0);
    expect(r.debtRank).toBeGreaterThan(0);
    expect(r.channels.find((c) => c.channel === 'shared-accounts')!.active).toBe(true);
    expect(r.channels.find((c) => c.channel === 'fire-sale')!).toMatchObject({ active: false });
    expect(r.channels.find((c) => c.channel === 'fire-sale')!.note).toMatch(/no market depth/);
  });

  it('a trader-margin venue is not taken as failed for its leverage: its equity at risk is its margin', () => {
    // dydx: margin 2000 against 15000 of notional. ETH -5%: the long (10000) loses 500, the short (5000) gains 250,
    // nobody is liquidated: margin 2000 -> 1750, distress 250 / 2000.
    const r = contagion(smallPortfolio(), { kind: 'asset', asset: 'ETH', move: -0.05 });
    const dydx = r.nodes.find((n) => n.key === 'dydx/ethereum')!;
    expect(dydx.equityUsd.toString()).toBe('2000');
    expect(dydx.initialDistress).toBeCloseTo(0.125, 12);
  });

  it('with depth given, the fire-sale channel turns on; with no withdrawal, shared accounts carry nothing', () => {
    const r = contagion(portfolio, { kind: 'asset', asset: 'ETH', move: -0.45 }, { impact: { depthUsd: { ETH: dec('5000') } }, sharedAccountWithdrawal: 0 });
    expect(r.channels.find((c) => c.channel === 'fire-sale')!.active).toBe(true);
    expect(r.exposures.filter((e) => e.channel === 'shared-accounts').every((e) => e.lossAtFullDistressUsd.isZero())).toBe(true);
  });
});
