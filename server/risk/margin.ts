/**
 * Margin recommendation: what restores a target ratio or a target distance to
 * insolvency, per venue.
 *  - Target ratio R: extra backing = max(0, ceil(R x obligations) - backing);
 *    or an open-interest cap = floor(backing / R).
 *  - Target distance d (market-wide, both ways): the extra USD collateral that
 *    leaves every position solvent after a jump of -d and of +d, i.e. the sum
 *    over positions of max(shortfall at -d, shortfall at +d); and the maximum
 *    leverage (notional / USD collateral) of a position opened now that survives
 *    a jump of d without shortfall, 1 / d.
 */
import { badInput } from './errors';
import { FACTOR_SCALE, maxBig, type MicroUsd } from './money';
import { compilePortfolio, factorsToPpb, perpEquityExact, sumTermsExact, type CompiledPortfolio } from './portfolio';
import { venueBalances, type VenueBalance } from './ratio';
import type { Portfolio, Venue, VenueKey } from './types';

export interface MarginTarget {
  /** Target backing / obligations, e.g. 1.5. */
  ratio?: number;
  /** Target distance to insolvency, as a market-wide move fraction, e.g. 0.3. */
  distance?: number;
}

export interface MarginRecommendation {
  venue: Venue;
  key: VenueKey;
  current: VenueBalance;
  ratio: { target: number; extraCollateralUsd: MicroUsd; openInterestCapUsd: MicroUsd } | null;
  distance: { target: number; extraCollateralUsd: MicroUsd; maxLeverage: number } | null;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? (a + b - 1n) / b : a / b;
}

export function marginRecommendation(portfolio: Portfolio | CompiledPortfolio, target: MarginTarget): MarginRecommendation[] {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  if (target.ratio !== undefined && !(target.ratio > 0)) throw badInput(`target ratio ${target.ratio} must be > 0`);
  if (target.distance !== undefined && !(target.distance > 0 && target.distance < 1)) throw badInput(`target distance ${target.distance} must be in (0, 1)`);
  const balances = venueBalances(c);
  const extraForDistance = new Array<bigint>(c.venues.length).fill(0n);
  if (target.distance !== undefined) {
    const d = target.distance;
    const down = factorsToPpb(c.volatile.map((v) => (v ? 1 - d : 1)));
    const up = factorsToPpb(c.volatile.map((v) => (v ? 1 + d : 1)));
    for (const p of c.perps) {
      const need = maxBig(-perpEquityExact(p, down), -perpEquityExact(p, up));
      if (need > 0n) extraForDistance[p.venue]! += need;
    }
    for (const a of c.lending) {
      const need = maxBig(sumTermsExact(a.debt, down) - sumTermsExact(a.collateral, down), sumTermsExact(a.debt, up) - sumTermsExact(a.collateral, up));
      if (need > 0n) extraForDistance[a.venue]! += need;
    }
  }
  return c.venues.map((venue, v) => {
    const current = balances[v]!;
    let ratio: MarginRecommendation['ratio'] = null;
    if (target.ratio !== undefined) {
      const ratioPpb = BigInt(Math.round(target.ratio * 1e9));
      const required = ceilDiv(current.obligationsUsd * ratioPpb, FACTOR_SCALE);
      ratio = {
        target: target.ratio,
        extraCollateralUsd: maxBig(0n, required - current.backingUsd),
        openInterestCapUsd: current.backingUsd > 0n ? (current.backingUsd * FACTOR_SCALE) / ratioPpb : 0n,
      };
    }
    const distance = target.distance === undefined ? null : { target: target.distance, extraCollateralUsd: extraForDistance[v]!, maxLeverage: 1 / target.distance };
    return { venue, key: c.venueKeys[v]!, current, ratio, distance };
  });
}
