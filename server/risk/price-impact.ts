/**
 * Price impact of liquidation flow. Model: each depth's worth of net selling
 * moves the price by movePerDepth, compounding:
 *   factor = (1 - movePerDepth) ^ (netSellUsd / depthUsd)
 * Selling exactly the -2% depth moves the price down exactly 2% with the default
 * movePerDepth = 0.02; buying moves it up by the inverse. Compounding keeps prices
 * positive and makes the total impact depend only on the cumulative net flow,
 * not on how it is split across cascade rounds. Flows are measured in USD at
 * the current (pre-stress) price, i.e. as quantities of the asset.
 */
import { badInput } from './errors';
import type { Decimal } from '../numeric/decimal';

export interface PriceImpactModel {
  /** Price move caused by selling one depth's worth; default 0.02, matching the quoted "-2% depth". */
  movePerDepth?: number;
  /** Overrides the asset table's depthUsd, per asset. */
  depthUsd?: Readonly<Record<string, Decimal>>;
}

export const DEFAULT_MOVE_PER_DEPTH = 0.02;

/** The multiplicative price factor caused by a cumulative net sell (negative = net buy). No depth: no impact. */
export function impactFactor(netSellUsd: number, depthUsd: number, movePerDepth = DEFAULT_MOVE_PER_DEPTH): number {
  if (!(movePerDepth >= 0 && movePerDepth < 1)) throw badInput(`movePerDepth is ${movePerDepth}; expected a fraction in [0, 1)`);
  if (!(depthUsd > 0) || netSellUsd === 0) return 1;
  return Math.pow(1 - movePerDepth, netSellUsd / depthUsd);
}
