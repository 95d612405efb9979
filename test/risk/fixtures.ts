/** Small hand-checkable portfolios shared by the risk tests. */
import { Decimal } from '../../server/numeric/decimal';
import { type LendingAccount, type PerpPosition, type Portfolio } from '../../server/risk';

/** An exact decimal from its text. */
export const dec = (text: string): Decimal => Decimal.parse(text);

export const DYDX = { protocol: 'dydx', network: 'ethereum' };
export const AAVE = { protocol: 'aave-v3', network: 'ethereum' };
export const GMX = { protocol: 'gmx-v1', network: 'arbitrum-one' };

/** Long ETH 10,000 USD at 2000 with 1,000 USD collateral, liquidation price 1850 (factor 0.925). Insolvent below 0.9. */
export const longEth: PerpPosition = {
  kind: 'perp',
  venue: DYDX,
  account: '0xa1',
  asset: 'ETH',
  side: 'long',
  sizeUsd: dec('10000'),
  collateralUsd: dec('1000'),
  entryPrice: dec('2000'),
  liquidationPrice: dec('1850'),
};

/** Short ETH 5,000 USD at 2000, 1,000 USD collateral, maintenance margin 1%: liquidation factor 6000 / 5050. Insolvent above 1.2. */
export const shortEth: PerpPosition = {
  kind: 'perp',
  venue: DYDX,
  account: '0xa2',
  asset: 'ETH',
  side: 'short',
  sizeUsd: dec('5000'),
  collateralUsd: dec('1000'),
  entryPrice: dec('2000'),
  maintenanceMarginRate: 0.01,
};

/** 10,000 USD of ETH at LT 0.8, bonus 5%, against 6,000 USDC: liquidatable at ETH x <= 0.75, insolvent below 0.6. */
export const aaveBorrower: LendingAccount = {
  kind: 'lending',
  venue: AAVE,
  account: '0xb1',
  collateral: [{ asset: 'ETH', valueUsd: dec('10000'), liquidationThreshold: 0.8, liquidationBonus: 0.05 }],
  debt: [{ asset: 'USDC', valueUsd: dec('6000') }],
};

export function smallPortfolio(depth?: string): Portfolio {
  return {
    assets: {
      ETH: { price: dec('2000'), ...(depth ? { depthUsd: dec(depth) } : {}) },
      USDC: { price: dec('1'), stable: true },
    },
    positions: [longEth, shortEth, aaveBorrower],
  };
}
