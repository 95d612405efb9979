/**
 * Contagion between venues (protocol x network nodes).
 *
 * Exposure of venue i to venue j, by channel:
 *  - token: i holds collateral in a token issued by j (GLP, aTokens...). If j is
 *    fully distressed the token is taken as worthless: loss = the holding.
 *  - shared-collateral: i and j both hold collateral in asset a. If j is fully
 *    distressed it sells all of it into a's depth; i loses its holding times the
 *    price impact (the cascade's model): c_i(a) x (1 - (1 - movePerDepth)^(c_j(a) / depth_a)).
 *  - shared-accounts: the same account has positions in both. Reported as the
 *    value of those accounts' obligations in i; it transmits loss only through
 *    sharedAccountPassThrough (default 0: without cross-margining there is no
 *    direct mechanism, so it is an indicator, not a loss).
 *
 * Propagation: DebtRank in the differential form of Bardoscia et al. (2015):
 *   h_i(t+1) = min(1, h_i(t) + sum_j Lambda_ij (h_j(t) - h_j(t-1))),  Lambda_ij = loss_ij / E_i
 * with E_i the venue's buffer (backing - obligations) and h_i its relative equity
 * loss. A venue with E_i <= 0 starts at h_i = 1.
 */
import { badInput } from './errors';
import { FACTOR_SCALE, mulDiv, type MicroUsd } from './money';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import { DEFAULT_MOVE_PER_DEPTH, impactFactor, type PriceImpactModel } from './price-impact';
import { venueBalances } from './ratio';
import { stressTest } from './stress';
import { venueKey, type Portfolio, type Venue, type VenueKey } from './types';

export type ContagionShock =
  | { kind: 'asset'; asset: string; move: number }
  | { kind: 'venue'; venue: Venue; lossFraction: number };

export type ExposureChannel = 'token' | 'shared-collateral' | 'shared-accounts';

export interface Exposure {
  /** The exposed venue. */
  exposed: VenueKey;
  /** The venue it is exposed to. */
  source: VenueKey;
  channel: ExposureChannel;
  /** Asset for token and shared-collateral; number of accounts for shared-accounts. */
  asset?: string;
  accounts?: number;
  /** Value at stake in the exposed venue. */
  amountUsd: MicroUsd;
  /** Loss of the exposed venue if the source is fully distressed (h = 1); drives DebtRank. */
  lossAtFullDistressUsd: MicroUsd;
}

export interface ContagionNode {
  venue: Venue;
  key: VenueKey;
  equityUsd: MicroUsd;
  /** Relative equity loss from the shock itself, in [0, 1]. */
  initialDistress: number;
  /** After propagation, in [0, 1]. */
  distress: number;
  /** distress x equity. */
  lossUsd: MicroUsd;
}

export interface ContagionResult {
  nodes: ContagionNode[];
  exposures: Exposure[];
  /** Equity-weighted final distress, in [0, 1]. */
  totalImpact: number;
  /** The part of totalImpact caused by propagation (DebtRank proper), in [0, 1]. */
  debtRank: number;
  iterations: number;
}

export interface ContagionOptions {
  impact?: PriceImpactModel;
  sharedAccountPassThrough?: number;
  maxIterations?: number;
}

function fraction(x: number): bigint {
  return BigInt(Math.round(Math.min(1, Math.max(0, x)) * 1e9));
}

/** The exposure network of a portfolio. */
export function exposureNetwork(c: CompiledPortfolio, options: ContagionOptions = {}): Exposure[] {
  const nVenues = c.venues.length;
  const nAssets = c.assetNames.length;
  const holdings = Array.from({ length: nVenues }, () => new Array<bigint>(nAssets).fill(0n));
  for (const p of c.perps) if (p.collateralAsset >= 0) holdings[p.venue]![p.collateralAsset]! += p.collateralUsd;
  for (const a of c.lending) for (const t of a.collateral) holdings[a.venue]![t.asset]! += t.valueUsd;
  for (const pool of c.pools) for (const h of pool.holdings) holdings[pool.venue]![h.asset]! += h.valueUsd;

  const depth = c.depthF.slice();
  for (const [asset, d] of Object.entries(options.impact?.depthUsd ?? {})) {
    const i = c.assetIndex.get(asset);
    if (i !== undefined) depth[i] = Number(d) / 1e6;
  }
  const movePerDepth = options.impact?.movePerDepth ?? DEFAULT_MOVE_PER_DEPTH;
  const passThrough = options.sharedAccountPassThrough ?? 0;
  if (!(passThrough >= 0 && passThrough <= 1)) throw badInput(`sharedAccountPassThrough is ${passThrough}; expected a fraction in [0, 1]`);
  const keyIndex = new Map(c.venueKeys.map((k, i) => [k, i]));
  const exposures: Exposure[] = [];

  for (let a = 0; a < nAssets; a++) {
    const issuer = c.issuers[a] ?? null;
    for (let i = 0; i < nVenues; i++) {
      const held = holdings[i]![a]!;
      if (held === 0n) continue;
      if (issuer !== null && issuer !== c.venueKeys[i] && keyIndex.has(issuer)) {
        exposures.push({ exposed: c.venueKeys[i]!, source: issuer, channel: 'token', asset: c.assetNames[a]!, amountUsd: held, lossAtFullDistressUsd: held });
      }
      for (let j = 0; j < nVenues; j++) {
        const sold = holdings[j]![a]!;
        if (j === i || sold === 0n) continue;
        const drop = 1 - impactFactor(Number(sold) / 1e6, depth[a]!, movePerDepth);
        exposures.push({
          exposed: c.venueKeys[i]!,
          source: c.venueKeys[j]!,
          channel: 'shared-collateral',
          asset: c.assetNames[a]!,
          amountUsd: held,
          lossAtFullDistressUsd: mulDiv(held, fraction(drop), FACTOR_SCALE),
        });
      }
    }
  }

  // Accounts per venue with the value of their obligations there.
  const obligations = Array.from({ length: nVenues }, () => new Map<string, bigint>());
  const note = (venue: number, account: string, amount: bigint) => obligations[venue]!.set(account, (obligations[venue]!.get(account) ?? 0n) + amount);
  for (const p of c.perps) note(p.venue, accountOf(c, p.position), p.notionalUsd);
  for (const a of c.lending) note(a.venue, accountOf(c, a.position), a.debt.reduce((s, t) => s + t.valueUsd, 0n));
  for (let i = 0; i < nVenues; i++) {
    for (let j = 0; j < nVenues; j++) {
      if (i === j) continue;
      let accounts = 0;
      let amount = 0n;
      for (const [account, value] of obligations[i]!) {
        if (obligations[j]!.has(account)) {
          accounts++;
          amount += value;
        }
      }
      if (accounts > 0) {
        exposures.push({
          exposed: c.venueKeys[i]!,
          source: c.venueKeys[j]!,
          channel: 'shared-accounts',
          accounts,
          amountUsd: amount,
          lossAtFullDistressUsd: mulDiv(amount, fraction(passThrough), FACTOR_SCALE),
        });
      }
    }
  }
  return exposures;
}

function accountOf(c: CompiledPortfolio, position: number): string {
  return c.accounts[position]!;
}

/** Runs DebtRank from initial distress h0 over the loss matrix; returns final distress and iterations. */
export function debtRank(equity: readonly number[], lossAtFullDistress: readonly (readonly number[])[], initial: readonly number[], maxIterations = 10_000): { distress: number[]; iterations: number } {
  const n = equity.length;
  const h = initial.map((x, i) => (equity[i]! <= 0 ? 1 : Math.min(1, Math.max(0, x))));
  let previous = new Array<number>(n).fill(0);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const next = h.slice();
    let change = 0;
    for (let i = 0; i < n; i++) {
      if (equity[i]! <= 0) continue;
      let add = 0;
      for (let j = 0; j < n; j++) {
        const delta = h[j]! - previous[j]!;
        if (delta !== 0 && lossAtFullDistress[i]![j]! !== 0) add += (lossAtFullDistress[i]![j]! / equity[i]!) * delta;
      }
      next[i] = Math.min(1, h[i]! + add);
      change = Math.max(change, next[i]! - h[i]!);
    }
    previous = h.slice();
    for (let i = 0; i < n; i++) h[i] = next[i]!;
    if (change < 1e-12) {
      iterations++;
      break;
    }
  }
  return { distress: h, iterations };
}

export function contagion(portfolio: Portfolio | CompiledPortfolio, shock: ContagionShock, options: ContagionOptions = {}): ContagionResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const exposures = exposureNetwork(c, options);
  const before = venueBalances(c);
  const equity = before.map((b) => Number(b.bufferUsd) / 1e6);
  const n = c.venues.length;
  const initial = new Array<number>(n).fill(0);
  if (shock.kind === 'asset') {
    const stressed = stressTest(c, { moves: { [shock.asset]: shock.move }, impact: options.impact });
    stressed.venues.forEach((v, i) => {
      const loss = Number(v.before.bufferUsd - v.after.bufferUsd) / 1e6;
      initial[i] = equity[i]! > 0 ? Math.min(1, Math.max(0, loss / equity[i]!)) : 1;
    });
  } else {
    const i = c.venueKeys.indexOf(venueKey(shock.venue));
    if (i < 0) throw badInput(`shocked venue ${venueKey(shock.venue)} has no positions in the portfolio`);
    if (!(shock.lossFraction >= 0 && shock.lossFraction <= 1)) throw badInput(`lossFraction is ${shock.lossFraction}; expected a fraction in [0, 1]`);
    initial[i] = shock.lossFraction;
  }
  const keyIndex = new Map(c.venueKeys.map((k, i) => [k, i]));
  const loss = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const e of exposures) loss[keyIndex.get(e.exposed)!]![keyIndex.get(e.source)!]! += Number(e.lossAtFullDistressUsd) / 1e6;
  const { distress, iterations } = debtRank(equity, loss, initial, options.maxIterations);
  const positiveEquity = equity.reduce((s, e) => s + Math.max(0, e), 0);
  const weighted = (h: readonly number[]) => (positiveEquity > 0 ? h.reduce((s, x, i) => s + x * Math.max(0, equity[i]!), 0) / positiveEquity : 0);
  const start = initial.map((x, i) => (equity[i]! <= 0 ? 1 : x));
  const totalImpact = clamp01(weighted(distress));
  return {
    nodes: c.venues.map((venue, i) => ({
      venue,
      key: c.venueKeys[i]!,
      equityUsd: before[i]!.bufferUsd,
      initialDistress: start[i]!,
      distress: distress[i]!,
      lossUsd: before[i]!.bufferUsd > 0n ? mulDiv(before[i]!.bufferUsd, fraction(distress[i]!), FACTOR_SCALE) : 0n,
    })),
    exposures,
    totalImpact,
    debtRank: clamp01(totalImpact - weighted(start)),
    iterations,
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
