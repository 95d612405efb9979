/**
 * A venue's balance: backing (collateral locked plus, for pool-backed perps,
 * the pool) against obligations (perps: open interest at current prices;
 * lending: debt). ratio = backing / obligations (the Security-to-Value Ratio),
 * buffer = backing - obligations (the systemic buffer).
 */
import { type MicroUsd } from './money';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import type { Portfolio, Venue, VenueKey } from './types';

export interface VenueBalance {
  venue: Venue;
  key: VenueKey;
  backingUsd: MicroUsd;
  obligationsUsd: MicroUsd;
  bufferUsd: MicroUsd;
  /** backing / obligations as a float (a ratio, not money); null when there are no obligations. */
  ratio: number | null;
}

export function ratioOf(backingUsd: MicroUsd, obligationsUsd: MicroUsd): number | null {
  return obligationsUsd === 0n ? null : Number(backingUsd) / Number(obligationsUsd);
}

export function balance(venue: Venue, key: VenueKey, backingUsd: MicroUsd, obligationsUsd: MicroUsd): VenueBalance {
  return { venue, key, backingUsd, obligationsUsd, bufferUsd: backingUsd - obligationsUsd, ratio: ratioOf(backingUsd, obligationsUsd) };
}

/** Sums per-venue balances into one. */
export function totalBalance(balances: readonly VenueBalance[]): VenueBalance {
  let backing = 0n;
  let obligations = 0n;
  for (const b of balances) {
    backing += b.backingUsd;
    obligations += b.obligationsUsd;
  }
  return balance({ protocol: '*', network: '*' }, '*/*', backing, obligations);
}

/** Current balances per venue (equivalently: a stress test with no move). */
export function venueBalances(portfolio: Portfolio | CompiledPortfolio): VenueBalance[] {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const backing = new Array<bigint>(c.venues.length).fill(0n);
  const obligations = new Array<bigint>(c.venues.length).fill(0n);
  const perpShortfall = new Array<bigint>(c.venues.length).fill(0n);
  for (const p of c.perps) {
    backing[p.venue]! += p.collateralUsd;
    obligations[p.venue]! += p.notionalUsd;
    const pnl = p.long ? p.notionalUsd - p.sizeUsd : p.sizeUsd - p.notionalUsd;
    const equity = p.collateralUsd + pnl;
    if (equity < 0n) perpShortfall[p.venue]! += -equity;
  }
  for (const a of c.lending) {
    for (const t of a.collateral) backing[a.venue]! += t.valueUsd;
    for (const t of a.debt) obligations[a.venue]! += t.valueUsd;
  }
  for (const pool of c.pools) for (const h of pool.holdings) backing[pool.venue]! += h.valueUsd;
  return c.venues.map((venue, i) => balance(venue, c.venueKeys[i]!, backing[i]! - perpShortfall[i]!, obligations[i]!));
}
