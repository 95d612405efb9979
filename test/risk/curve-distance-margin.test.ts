import { distanceToInsolvency, distanceToInsolvencyWithCascade, liquidationCurves, marginRecommendation, usd } from '../../server/risk';
import { smallPortfolio } from './fixtures';

describe('liquidationCurves', () => {
  const curves = liquidationCurves(smallPortfolio());
  const at = (key: string, asset: string, move: number) => curves.find((c) => c.key === key && c.asset === asset)!.points.find((p) => Math.abs(p.move - move) < 1e-9)!;

  it('has one point per 1% from -50% to +50%', () => {
    expect(curves.map((c) => `${c.key}:${c.asset}`)).toEqual(['aave-v3/ethereum:ETH', 'aave-v3/ethereum:USDC', 'dydx/ethereum:ETH']);
    expect(curves[0]!.points).toHaveLength(101);
  });

  it('counts the long below its liquidation factor 0.925 and the short above 6000/5050 = 1.1881', () => {
    expect(at('dydx/ethereum', 'ETH', -0.05)).toMatchObject({ positions: 0, collateralUsd: 0n, sizeUsd: 0n });
    // -10%: the long, collateral 1000 USD, notional 10000 x 0.9 = 9000.
    expect(at('dydx/ethereum', 'ETH', -0.1)).toMatchObject({ positions: 1, collateralUsd: dec('1000'), sizeUsd: dec('9000') });
    expect(at('dydx/ethereum', 'ETH', 0.18)).toMatchObject({ positions: 0 });
    // +20%: the short, notional 5000 x 1.2 = 6000.
    expect(at('dydx/ethereum', 'ETH', 0.2)).toMatchObject({ positions: 1, collateralUsd: dec('1000'), sizeUsd: dec('6000') });
  });

  it('counts the borrower from -25% (10000 x 0.8 x 0.75 = 6000 = debt)', () => {
    expect(at('aave-v3/ethereum', 'ETH', -0.24)).toMatchObject({ positions: 0 });
    // Collateral at -25%: 7500; debt 6000.
    expect(at('aave-v3/ethereum', 'ETH', -0.25)).toMatchObject({ positions: 1, collateralUsd: dec('7500'), sizeUsd: dec('6000') });
    // USDC debt up 34%: 6000 x 1.34 = 8040 > 8000 weighted collateral.
    expect(at('aave-v3/ethereum', 'USDC', 0.33)).toMatchObject({ positions: 0 });
    expect(at('aave-v3/ethereum', 'USDC', 0.34)).toMatchObject({ positions: 1, sizeUsd: dec('8040') });
  });
});

describe('distanceToInsolvency', () => {
  it('gives the smallest jump that creates bad debt', () => {
    const d = distanceToInsolvency(smallPortfolio());
    const dydx = d.venues.find((v) => v.key === 'dydx/ethereum')!;
    const aave = d.venues.find((v) => v.key === 'aave-v3/ethereum')!;
    // Long: 1000 + 10000 x - 10000 < 0 below x = 0.9 -> 10% down. Short: 6000 - 5000 x < 0 above 1.2 -> 20% up.
    expect(dydx.marketWide.down).toBeCloseTo(0.1, 12);
    expect(dydx.marketWide.up).toBeCloseTo(0.2, 12);
    // Borrower: 10000 x < 6000 below 0.6 -> 40% down; USDC (not moved market-wide) up 10000/6000 - 1.
    expect(aave.marketWide.down).toBeCloseTo(0.4, 12);
    expect(aave.marketWide.up).toBeNull();
    expect(aave.perAsset.USDC!.up).toBeCloseTo(10000 / 6000 - 1, 12);
    expect(d.total.marketWide).toEqual({ down: dydx.marketWide.down, up: dydx.marketWide.up });
  });

  it('with the cascade, by bisection, agrees when there is no depth', () => {
    const down = distanceToInsolvencyWithCascade(smallPortfolio(), { direction: 'down', resolution: 1e-6 });
    expect(down).toBeCloseTo(0.1, 5);
  });
});

describe('marginRecommendation', () => {
  it('extra collateral or an OI cap for a target ratio; extra collateral for a target distance', () => {
    const [dydx, aave] = marginRecommendation(smallPortfolio(), { ratio: 0.2, distance: 0.15 });
    // dydx: 0.2 x 15000 = 3000 needed, 2000 held -> 1000 more; or OI <= 2000 / 0.2 = 10000.
    expect(dydx!.ratio).toEqual({ target: 0.2, extraCollateralUsd: dec('1000'), openInterestCapUsd: dec('10000') });
    // At -15%: the long's equity 1000 + 8500 - 10000 = -500; the short at +15%: 6000 - 5750 = 250 >= 0.
    expect(dydx!.distance!.extraCollateralUsd).toBe(dec('500'));
    expect(dydx!.distance!.maxLeverage).toBeCloseTo(1 / 0.15, 12);
    // aave: ratio 10000 / 6000 already above 0.2; at -15% collateral 8500 > 6000.
    expect(aave!.ratio!.extraCollateralUsd).toBe(0n);
    expect(aave!.distance!.extraCollateralUsd).toBe(0n);
  });
});
