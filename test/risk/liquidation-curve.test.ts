import { liquidationCurves } from '../../server/risk';
import { smallPortfolio } from './fixtures';

describe('liquidationCurves', () => {
  const curves = liquidationCurves(smallPortfolio());
  const at = (key: string, asset: string, move: number) => {
    const p = curves.find((c) => c.key === key && c.asset === asset)!.points.find((q) => Math.abs(q.move - move) < 1e-9)!;
    return { positions: p.positions, collateralUsd: p.collateralUsd.toString(), sizeUsd: p.sizeUsd.toString() };
  };

  it('has one point per 1% from -50% to +50%', () => {
    expect(curves.map((c) => `${c.key}:${c.asset}`)).toEqual(['aave-v3/ethereum:ETH', 'aave-v3/ethereum:USDC', 'dydx/ethereum:ETH']);
    expect(curves[0]!.points).toHaveLength(101);
  });

  it('counts the long below its liquidation factor 0.925 and the short above 6000/5050 = 1.1881', () => {
    expect(at('dydx/ethereum', 'ETH', -0.05)).toMatchObject({ positions: 0, collateralUsd: '0', sizeUsd: '0' });
    // -10%: the long, collateral 1000 USD, notional 10000 x 0.9 = 9000.
    expect(at('dydx/ethereum', 'ETH', -0.1)).toMatchObject({ positions: 1, collateralUsd: '1000', sizeUsd: '9000' });
    expect(at('dydx/ethereum', 'ETH', 0.18)).toMatchObject({ positions: 0 });
    // +20%: the short, notional 5000 x 1.2 = 6000.
    expect(at('dydx/ethereum', 'ETH', 0.2)).toMatchObject({ positions: 1, collateralUsd: '1000', sizeUsd: '6000' });
  });

  it('counts the borrower from -25% (10000 x 0.8 x 0.75 = 6000 = debt)', () => {
    expect(at('aave-v3/ethereum', 'ETH', -0.24)).toMatchObject({ positions: 0 });
    // Collateral at -25%: 7500; debt 6000.
    expect(at('aave-v3/ethereum', 'ETH', -0.25)).toMatchObject({ positions: 1, collateralUsd: '7500', sizeUsd: '6000' });
    // USDC debt up 34%: 6000 x 1.34 = 8040 > 8000 weighted collateral.
    expect(at('aave-v3/ethereum', 'USDC', 0.33)).toMatchObject({ positions: 0 });
    expect(at('aave-v3/ethereum', 'USDC', 0.34)).toMatchObject({ positions: 1, sizeUsd: '8040' });
  });
});
