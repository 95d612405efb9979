/**
 * Inputs of the risk functions, shaped so that a gateway can fill them from
 * indexed positions. Money is bigint micro-USD, prices bigint USD x 1e18
 * (see money.ts); rates and thresholds are plain fractions (0.8 = 80%).
 */
import type { MicroUsd, PriceE18 } from './money';

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
  /** Current price, USD per unit x 1e18. The reference against which every price move is measured. */
  price: PriceE18;
  /** Stablecoins are left out of market-wide shocks (they can still be shocked by name, e.g. a depeg). */
  stable?: boolean;
  /**
   * Market depth: the sell volume in USD (at the current price) that moves the price down 2%
   * (the "-2% depth" that market-data vendors quote). Used by the cascade's price impact.
   * Absent: the asset has no price impact.
   */
  depthUsd?: MicroUsd;
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
  /** Notional at entry, USD. The position holds sizeUsd / entryPrice units of the asset. */
  sizeUsd: MicroUsd;
  /** Collateral value, USD at the current price of collateralAsset. */
  collateralUsd: MicroUsd;
  /** The asset the collateral is held in; defaults to a USD stablecoin that never moves. */
  collateralAsset?: string;
  entryPrice: PriceE18;
  /** The protocol's liquidation price. Absent: derived from maintenanceMarginRate. */
  liquidationPrice?: PriceE18;
  /** Maintenance margin as a fraction of notional (e.g. 0.01); used when liquidationPrice is absent. */
  maintenanceMarginRate?: number;
  /** The counterparty of traders' PnL is a liquidity pool (GMX's GLP, Synthetix's debt pool). */
  poolBacked?: boolean;
}

export interface LendingCollateral {
  asset: string;
  /** Value at the current price, USD. */
  valueUsd: MicroUsd;
  /** Liquidation threshold as a fraction, e.g. 0.825 (Aave's LT). */
  liquidationThreshold: number;
  /** Liquidation bonus as a fraction above par, e.g. 0.05 for 105% (Aave's LB - 1). */
  liquidationBonus: number;
}

export interface LendingDebt {
  asset: string;
  valueUsd: MicroUsd;
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
  holdings: Array<{ asset: string; valueUsd: MicroUsd }>;
}

export interface Portfolio {
  assets: AssetTable;
  positions: readonly Position[];
  pools?: readonly LiquidityPool[];
}

/** Price moves as fractions, e.g. { ETH: -0.3 } is ETH down 30%. */
export type PriceMoves = Readonly<Record<string, number>>;
