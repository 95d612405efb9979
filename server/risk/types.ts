/**
 * Inputs of the risk functions, shaped so that a gateway can fill them from
 * indexed entities. Money and prices are exact Decimals (server/numeric);
 * rates and thresholds are plain fractions (0.8 = 80%), which only decide
 * whether a position is liquidatable, never what it is worth.
 */
import type { Decimal } from '../numeric/decimal';
import type { CollateralModel } from './solvency';

/** A venue is one protocol on one network, e.g. { protocol: 'gmx-v1', network: 'arbitrum-one' }. */
export interface Venue {
  protocol: string;
  network: string;
}

export type VenueKey = string;

export function venueKey(venue: Venue): VenueKey {
  return `${venue.protocol}/${venue.network}`;
}

export interface AssetParams {
  /** Current price, USD per unit. The reference against which every price move is measured. */
  price: Decimal;
  /** Stablecoins are left out of market-wide shocks (they can still be shocked by name, e.g. a depeg). */
  stable?: boolean;
  /**
   * Market depth: the sell volume in USD (at the current price) that moves the price down 2%
   * (the "-2% depth" that market-data vendors quote). Used by the cascade's price impact and the
   * fire-sale contagion channel. Absent: the asset has no price impact.
   */
  depthUsd?: Decimal;
  /** The venue whose token this is (e.g. GLP is issued by gmx-v1 on arbitrum-one). Feeds contagion. */
  issuedBy?: Venue;
}

export type AssetTable = Readonly<Record<string, AssetParams>>;

export type Side = 'long' | 'short';

/** An open perpetual position. */
export interface PerpPosition {
  kind: 'perp';
  venue: Venue;
  account: string;
  /** The market's underlying asset (a key of the asset table). */
  asset: string;
  side: Side;
  /** Size in USD as the venue reports it (its open interest sums these). */
  sizeUsd: Decimal;
  /** Collateral value, USD at the current price of collateralAsset. */
  collateralUsd: Decimal;
  /** The asset the collateral is held in; defaults to a USD stablecoin that never moves. */
  collateralAsset?: string;
  entryPrice: Decimal;
  /** The protocol's liquidation price. Absent: derived from maintenanceMarginRate. */
  liquidationPrice?: Decimal;
  /** Maintenance margin as a fraction of notional (e.g. 0.01); used when liquidationPrice is absent. */
  maintenanceMarginRate?: number;
}

export interface LendingCollateral {
  asset: string;
  /** Value at the current price, USD. */
  valueUsd: Decimal;
  /** Liquidation threshold as a fraction, e.g. 0.825 (Aave's LT). */
  liquidationThreshold: number;
  /** Liquidation bonus as a fraction above par, e.g. 0.05 for 105% (Aave's LB - 1). */
  liquidationBonus: number;
}

export interface LendingDebt {
  asset: string;
  valueUsd: Decimal;
}

/** A borrower on a lending market (Aave-style health factor). */
export interface LendingAccount {
  kind: 'lending';
  venue: Venue;
  account: string;
  collateral: LendingCollateral[];
  debt: LendingDebt[];
}

export type Position = PerpPosition | LendingAccount;

/** Assets held by a pool that backs perps traders (GMX's GLP), per venue. */
export interface LiquidityPool {
  venue: Venue;
  holdings: Array<{ asset: string; valueUsd: Decimal }>;
}

/**
 * A venue's collateral model and its headline balance now, as the venue's
 * own totals give it (server/risk/solvency.ts). Without a headline the
 * engine takes the sum of the portfolio's positions and pools.
 */
export interface VenueBook {
  venue: Venue;
  model: CollateralModel;
  backingUsd?: Decimal;
  obligationsUsd?: Decimal;
}

export interface Portfolio {
  assets: AssetTable;
  positions: readonly Position[];
  pools?: readonly LiquidityPool[];
  venues?: readonly VenueBook[];
}

/** Price moves as fractions, e.g. { ETH: -0.3 } is ETH down 30%. */
export type PriceMoves = Readonly<Record<string, number>>;
