import { formatUsd, price, stressTest, usd, venueBalances, type PerpPosition, type Portfolio } from '../../server/risk';
import { DYDX, smallPortfolio } from './fixtures';

describe('venueBalances', () => {
  it('sums backing and obligations per venue', () => {
    const [dydx, aave] = venueBalances(smallPortfolio());
    // dydx: collateral 1000 + 1000; OI 10000 + 5000 (entry = current price).
    expect(dydx!.key).toBe('dydx/ethereum');
    expect(dydx!.backingUsd).toBe(dec('2000'));
    expect(dydx!.obligationsUsd).toBe(dec('15000'));
    expect(dydx!.bufferUsd).toBe(dec('-13000'));
    expect(dydx!.ratio).toBeCloseTo(2000 / 15000, 12);
    // aave: 10000 collateral / 6000 debt.
    expect(aave!.backingUsd).toBe(dec('10000'));
    expect(aave!.bufferUsd).toBe(dec('4000'));
  });
});

describe('stressTest without cascade', () => {
  it('ETH -30%: the long and the borrower are liquidated, the short survives', () => {
    const r = stressTest(smallPortfolio(), { marketWide: -0.3, cascade: false });
    const dydx = r.venues.find((v) => v.key === 'dydx/ethereum')!;
    const aave = r.venues.find((v) => v.key === 'aave-v3/ethereum')!;
    expect(r.rounds).toBe(1);
    // Long at x = 0.7: equity = 1000 + 10000 x 0.7 - 10000 = -2000 -> shortfall 2000.
    expect(dydx.liquidatedPositions).toBe(1);
    expect(dydx.liquidatedNotionalUsd).toBe(dec('10000'));
    expect(dydx.liquidatedCollateralUsd).toBe(dec('1000'));
    expect(dydx.shortfallUsd).toBe(dec('2000'));
    // Short survives: OI = 5000 x 0.7 = 3500; backing = its 1000 collateral - 2000 bad debt = -1000.
    expect(dydx.after.obligationsUsd).toBe(dec('3500'));
    expect(dydx.after.backingUsd).toBe(dec('-1000'));
    // Borrower at 0.7: collateral 7000, debt 6000; seized min(7000, 6000 x 1.05) = 6300;
    // repaid 6000, no bad debt; 700 of collateral stays with the account.
    expect(aave.liquidatedPositions).toBe(1);
    expect(aave.liquidatedNotionalUsd).toBe(dec('6000'));
    expect(aave.liquidatedCollateralUsd).toBe(dec('6300'));
    expect(aave.shortfallUsd).toBe(0n);
    expect(aave.after.backingUsd).toBe(dec('700'));
    expect(aave.after.obligationsUsd).toBe(0n);
    expect(aave.after.ratio).toBeNull();
    expect(r.total.shortfallUsd).toBe(dec('2000'));
  });

  it('ETH +25%: only the short is liquidated, with 250 of bad debt', () => {
    // Short liquidates at x >= 6000 / 5050 = 1.1881; at 1.25: equity = 1000 + 5000 - 6250 = -250.
    const r = stressTest(smallPortfolio(), { moves: { ETH: 0.25 }, cascade: false });
    const dydx = r.venues.find((v) => v.key === 'dydx/ethereum')!;
    expect(dydx.liquidatedPositions).toBe(1);
    expect(dydx.shortfallUsd).toBe(dec('250'));
    expect(formatUsd(dydx.after.obligationsUsd)).toBe('12500.000000'); // the long: 10000 x 1.25
  });
});

describe('stressTest with cascade', () => {
  it('liquidation selling moves the price by the depth model', () => {
    const r = stressTest(smallPortfolio('1000000'), { marketWide: -0.3 });
    // Round 0 at 0.7: the long sells 10000 of ETH (at current prices); the borrower's
    // seized share 6300 / 7000 = 0.9 of 10000 ETH = 9000; net sell 19000 against a depth of 1e6.
    // ETH factor -> 0.7 x 0.98^(19000 / 1e6). USDC bought back has no depth: reported.
    const expected = 0.7 * Math.pow(0.98, 19_000 / 1_000_000);
    expect(r.rounds).toBe(1);
    expect(r.finalMoves.ETH).toBeCloseTo(expected - 1, 12);
    expect(r.assetsWithoutDepth).toEqual(['USDC']);
    const dydx = r.venues.find((v) => v.key === 'dydx/ethereum')!;
    // The short's notional at the final price, rounded to the micro-USD toward zero.
    const ppb = BigInt(Math.round(expected * 1e9));
    expect(dydx.after.obligationsUsd).toBe((dec('5000') * ppb) / 1_000_000_000n);
  });

  it('runs round after round until nothing more is liquidated', () => {
    // Two order-book longs of 1,000,000 each; liquidation factors 0.9 and 0.89; depth 1,000,000.
    // Shock -10%: round 0 liquidates the first (0.9 <= 0.9), selling 1e6 -> 0.9 x 0.98 = 0.882;
    // round 1 liquidates the second (0.882 <= 0.89) -> 0.9 x 0.98^2 = 0.86436; round 2 finds nothing.
    const long = (account: string, liq: string): PerpPosition => ({
      kind: 'perp', venue: DYDX, account, asset: 'ETH', side: 'long',
      sizeUsd: dec('1000000'), collateralUsd: dec('200000'), entryPrice: dec('1'), liquidationPrice: price(liq),
    });
    const portfolio: Portfolio = {
      assets: { ETH: { price: dec('1'), depthUsd: dec('1000000') } },
      positions: [long('a', '0.9'), long('b', '0.89')],
    };
    const r = stressTest(portfolio, { marketWide: -0.1 });
    expect(r.rounds).toBe(2);
    expect(r.cascade.map((c) => c.liquidatedPositions)).toEqual([1, 1]);
    expect(r.cascade[1]!.factors.ETH).toBeCloseTo(0.882, 12);
    expect(r.finalMoves.ETH).toBeCloseTo(0.86436 - 1, 12);
    // Each closes at its round's price: 200000 + 1e6 x 0.9 - 1e6 = 100000 >= 0; 200000 + 882000 - 1e6 = 82000 >= 0.
    expect(r.total.shortfallUsd).toBe(0n);
    expect(r.total.liquidatedNotionalUsd).toBe(dec('2000000'));
    const single = stressTest(portfolio, { marketWide: -0.1, cascade: false });
    expect(single.total.liquidatedPositions).toBe(1);
  });

  it("reports pool-backed traders' PnL against the pool", () => {
    // GMX-style: pool of 100,000 USDC; one pool-backed long 10,000 at 2000 with 2000 collateral.
    // ETH +10%: trader PnL = 10000 x 1.1 - 10000 = 1000 owed by the pool; 1000 / 100000 = 1%.
    const venue = { protocol: 'gmx-v1', network: 'arbitrum-one' };
    const r = stressTest(
      {
        assets: { ETH: { price: dec('2000') }, USDC: { price: dec('1'), stable: true } },
        positions: [{ kind: 'perp', venue, account: 'x', asset: 'ETH', side: 'long', sizeUsd: dec('10000'), collateralUsd: dec('2000'), entryPrice: dec('2000'), liquidationPrice: dec('1700'), poolBacked: true }],
        pools: [{ venue, holdings: [{ asset: 'USDC', valueUsd: dec('100000') }] }],
      },
      { moves: { ETH: 0.1 } },
    );
    const pool = r.venues[0]!.pool!;
    expect(pool.tradersPnlUsd).toBe(dec('1000'));
    expect(pool.valueAfterUsd).toBe(dec('100000'));
    expect(pool.pnlToPool).toBeCloseTo(0.01, 12);
    // Backing = 2000 + 100000; OI = 11000.
    expect(r.venues[0]!.after.backingUsd).toBe(dec('102000'));
    expect(r.venues[0]!.after.obligationsUsd).toBe(dec('11000'));
  });

  it('rejects a move below -100% with a code', () => {
    expect(() => stressTest(smallPortfolio(), { marketWide: -1.5 })).toThrow(expect.objectContaining({ code: 'RISK_BAD_INPUT' }));
  });
});
