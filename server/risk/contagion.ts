/**
 * Contagion between venues (protocol x network nodes): how a shock to one
 * asset or one venue spreads to the others.
 *
 * Equity E_i is each venue's buffer now (solvency.ts); for a trader-margin
 * venue, whose buffer is negative by construction, its traders' margin (what
 * absorbs their losses before the unindexed debt pool). Exposure of venue i to
 * venue j (the loss i takes if j is fully distressed), by channel:
 *  - token: i holds collateral in a token issued by j (GLP, aTokens, sUSD...);
 *    taken as worthless at full distress: loss = the holding.
 *  - fire-sale: i and j both hold asset a; a fully distressed j sells all of
 *    it into a's depth, and i loses its own holding times the price impact
 *    (the cascade's model, price-impact.ts). Off for an asset without depth.
 *  - shared-accounts: an account with positions in both. When j is fully
 *    distressed the account loses its collateral there and covers that from
 *    its free collateral in i (collateral less debt), withdrawing a share
 *    `sharedAccountWithdrawal` (default 0.5: half of what it lost) of it,
 *    which leaves i's backing.
 *
 * The shock's first effect is the stress test (stress.ts) of the asset move:
 * every venue that holds or owes the asset loses buffer, h_i(1) = loss_i / E_i.
 * A venue shock sets h_j(1) = lossFraction for that venue.
 *
 * Propagation is DebtRank (Battiston, Puliga, Kaushik, Tasca, Caldarelli
 * 2012, "DebtRank: Too Central to Fail?", Scientific Reports 2:541):
 *   W_ij = min(1, A_ij / E_i)                           (impact of j on i)
 *   h_i(t) = min(1, h_i(t-1) + sum_{j distressed at t-1} W_ij h_j(t-1))
 * where a node is distressed (D) for the one step after its h first turns
 * positive, then inactive (I), so every path of the network is walked once;
 * R = sum_j h_j(T) v_j - sum_j h_j(1) v_j, v_j = the venue's share of the
 * total backing. A venue whose buffer is not positive has h = 1 from the start.
 */
import { Decimal } from '../numeric/decimal';
import { badInput } from './errors';
import { fromDigits } from './money';
import { compilePortfolio, type CompiledPortfolio } from './portfolio';
import { DEFAULT_MOVE_PER_DEPTH, impactFactor, type PriceImpactModel } from './price-impact';
import { runCascade, tallyStress } from './stress';
import { venueKey, type Portfolio, type Venue, type VenueKey } from './types';

export type ContagionShock =
  | { kind: 'asset'; asset: string; move: number }
  | { kind: 'venue'; venue: Venue; lossFraction: number };

export type ExposureChannel = 'token' | 'fire-sale' | 'shared-accounts';

export interface Exposure {
  /** The exposed venue. */
  exposed: VenueKey;
  /** The venue it is exposed to. */
  source: VenueKey;
  channel: ExposureChannel;
  /** Asset for token and fire-sale; number of accounts for shared-accounts. */
  asset?: string;
  accounts?: number;
  /** Value at stake in the exposed venue. */
  amountUsd: Decimal;
  /** Loss of the exposed venue if the source is fully distressed (h = 1): A_ij. */
  lossAtFullDistressUsd: Decimal;
}

export interface ChannelStatus {
  channel: ExposureChannel;
  /** Whether the channel could carry loss in this portfolio. */
  active: boolean;
  /** What it needs and lacks, when it is off; what it found, when on. */
  note: string;
}

export interface ContagionNode {
  venue: Venue;
  key: VenueKey;
  equityUsd: Decimal;
  /** Relative equity loss from the shock itself, in [0, 1]. */
  initialDistress: number;
  /** After propagation, in [0, 1]. */
  distress: number;
  /** distress x equity (0 for a venue with no positive equity). */
  lossUsd: Decimal;
}

export interface ContagionResult {
  nodes: ContagionNode[];
  exposures: Exposure[];
  channels: ChannelStatus[];
  /** Backing-weighted final distress, sum_j h_j(T) v_j, in [0, 1]. */
  totalImpact: number;
  /** R: the part of totalImpact that propagation added, in [0, 1]. */
  debtRank: number;
  /** Propagation steps until no venue was distressed. */
  iterations: number;
  parameters: { sharedAccountWithdrawal: number; movePerDepth: number };
}

export interface ContagionOptions {
  impact?: PriceImpactModel;
  /** Share of its loss in one venue that an account withdraws from its others (default 0.5). */
  sharedAccountWithdrawal?: number;
}

export const DEFAULT_SHARED_ACCOUNT_WITHDRAWAL = 0.5;

/** The exposure network of a portfolio, with which channels could carry loss. */
export function exposureNetwork(c: CompiledPortfolio, options: ContagionOptions = {}): { exposures: Exposure[]; channels: ChannelStatus[] } {
  const nVenues = c.venues.length;
  const nAssets = c.assetNames.length;
  const money = (digits: bigint) => fromDigits(digits, c.scale);
  // Collateral each venue holds, per asset (pools, lending collateral, perps collateral in an asset).
  const holdings = Array.from({ length: nVenues }, () => new Array<bigint>(nAssets).fill(0n));
  for (const p of c.perps) if (p.collateralAsset >= 0) holdings[p.venue]![p.collateralAsset]! += p.collateral;
  for (const a of c.lending) for (const t of a.collateral) holdings[a.venue]![t.asset]! += t.value;
  for (const pool of c.pools) for (const h of pool.holdings) holdings[pool.venue]![h.asset]! += h.value;

  const depth = c.depthF.slice();
  for (const [asset, d] of Object.entries(options.impact?.depthUsd ?? {})) {
    const i = c.assetIndex.get(asset);
    if (i !== undefined) depth[i] = d.toNumber();
  }
  const movePerDepth = options.impact?.movePerDepth ?? DEFAULT_MOVE_PER_DEPTH;
  const withdrawal = options.sharedAccountWithdrawal ?? DEFAULT_SHARED_ACCOUNT_WITHDRAWAL;
  if (!(withdrawal >= 0 && withdrawal <= 1)) throw badInput(`sharedAccountWithdrawal is ${withdrawal}; expected a fraction in [0, 1]`);
  const keyIndex = new Map(c.venueKeys.map((k, i) => [k, i]));
  const exposures: Exposure[] = [];
  const sharedWithoutDepth = new Set<string>();
  let tokenHoldings = 0;

  for (let a = 0; a < nAssets; a++) {
    const issuer = c.issuers[a] ?? null;
    for (let i = 0; i < nVenues; i++) {
      const held = holdings[i]![a]!;
      if (held === 0n) continue;
      if (issuer !== null && issuer !== c.venueKeys[i] && keyIndex.has(issuer)) {
        tokenHoldings++;
        exposures.push({ exposed: c.venueKeys[i]!, source: issuer, channel: 'token', asset: c.assetNames[a]!, amountUsd: money(held), lossAtFullDistressUsd: money(held) });
      }
      for (let j = 0; j < nVenues; j++) {
        const sold = holdings[j]![a]!;
        if (j === i || sold === 0n) continue;
        if (!(depth[a]! > 0)) {
          sharedWithoutDepth.add(c.assetNames[a]!);
          continue;
        }
        const drop = 1 - impactFactor(money(sold).toNumber(), depth[a]!, movePerDepth);
        exposures.push({
          exposed: c.venueKeys[i]!,
          source: c.venueKeys[j]!,
          channel: 'fire-sale',
          asset: c.assetNames[a]!,
          amountUsd: money(held),
          lossAtFullDistressUsd: money(held).times(Decimal.fromNumber(drop)).rounded(c.scale),
        });
      }
    }
  }

  // Per venue and account: collateral there, and free collateral (collateral less debt, never negative).
  const perAccount = Array.from({ length: nVenues }, () => new Map<string, { collateral: bigint; free: bigint }>());
  const note = (venue: number, account: string, collateral: bigint, free: bigint) => {
    const m = perAccount[venue]!;
    const e = m.get(account) ?? { collateral: 0n, free: 0n };
    e.collateral += collateral;
    e.free += free;
    m.set(account, e);
  };
  for (const p of c.perps) note(p.venue, c.accounts[p.position]!, p.collateral, p.collateral);
  for (const a of c.lending) {
    const collateral = a.collateral.reduce((s, t) => s + t.value, 0n);
    const debt = a.debt.reduce((s, t) => s + t.value, 0n);
    note(a.venue, c.accounts[a.position]!, collateral, collateral > debt ? collateral - debt : 0n);
  }
  const withdrawalPpb = BigInt(Math.round(withdrawal * 1e9));
  let sharedPairs = 0;
  for (let i = 0; i < nVenues; i++) {
    for (let j = 0; j < nVenues; j++) {
      if (i === j) continue;
      let accounts = 0;
      let atStake = 0n;
      let loss = 0n;
      for (const [account, here] of perAccount[i]!) {
        const there = perAccount[j]!.get(account);
        if (!there) continue;
        accounts++;
        atStake += here.collateral;
        const lost = (there.collateral * withdrawalPpb) / 1_000_000_000n;
        loss += here.free < lost ? here.free : lost;
      }
      if (accounts > 0) {
        sharedPairs++;
        exposures.push({ exposed: c.venueKeys[i]!, source: c.venueKeys[j]!, channel: 'shared-accounts', accounts, amountUsd: money(atStake), lossAtFullDistressUsd: money(loss) });
      }
    }
  }
  const channels: ChannelStatus[] = [
    {
      channel: 'token',
      active: tokenHoldings > 0,
      note: tokenHoldings > 0 ? `${tokenHoldings} holdings of a token another venue issues` : 'no venue holds a token another venue in the portfolio issues',
    },
    {
      channel: 'fire-sale',
      active: exposures.some((e) => e.channel === 'fire-sale'),
      note:
        sharedWithoutDepth.size > 0
          ? `off for ${[...sharedWithoutDepth].sort().join(', ')}: no market depth given (pass depths to turn it on)`
          : exposures.some((e) => e.channel === 'fire-sale')
            ? 'assets held by several venues, with depth'
            : 'no asset is held by two venues',
    },
    {
      channel: 'shared-accounts',
      active: sharedPairs > 0,
      note: sharedPairs > 0 ? `${sharedPairs} venue pairs share accounts; withdrawal share ${withdrawal}` : 'no account has positions in two venues',
    },
  ];
  return { exposures, channels };
}

/**
 * DebtRank from the initial distress h(1) over the impact matrix W (W[i][j]:
 * impact of j on i, already capped at 1). Returns h(T) and the steps taken.
 */
export function debtRank(impact: readonly (readonly number[])[], initial: readonly number[]): { distress: number[]; iterations: number } {
  const n = initial.length;
  const h = initial.map((x) => Math.min(1, Math.max(0, x)));
  // 0 undistressed, 1 distressed, 2 inactive
  let state: number[] = h.map((x) => (x > 0 ? 1 : 0));
  let iterations = 0;
  while (state.some((s) => s === 1) && iterations <= n) {
    iterations++;
    const next = h.slice();
    for (let i = 0; i < n; i++) {
      if (state[i] === 2) continue;
      let add = 0;
      for (let j = 0; j < n; j++) if (state[j] === 1 && impact[i]![j]! > 0) add += impact[i]![j]! * h[j]!;
      if (add > 0) next[i] = Math.min(1, h[i]! + add);
    }
    state = state.map((s, i) => (s === 1 ? 2 : s === 0 && next[i]! > 0 ? 1 : s));
    for (let i = 0; i < n; i++) h[i] = next[i]!;
  }
  return { distress: h, iterations };
}

export function contagion(portfolio: Portfolio | CompiledPortfolio, shock: ContagionShock, options: ContagionOptions = {}): ContagionResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const { exposures, channels } = exposureNetwork(c, options);
  const money = (digits: bigint) => fromDigits(digits, c.scale);
  // A trader-margin venue's buffer is negative by construction (traders are leveraged): its equity at risk is the
  // margin that absorbs traders' losses before the (unindexed) debt pool does.
  const margin = (v: number) => c.models[v] === 'TRADER_MARGIN';
  const equity = c.venues.map((_, v) => money(margin(v) ? c.headlineBacking[v]! : c.headlineBacking[v]! - c.headlineObligations[v]!));
  const equityF = equity.map((e) => e.toNumber());
  const n = c.venues.length;
  const initial = new Array<number>(n).fill(0);
  if (shock.kind === 'asset') {
    const stressed = tallyStress(c, runCascade(c, { moves: { [shock.asset]: shock.move }, impact: options.impact }));
    stressed.venues.forEach((v, i) => {
      const loss = (margin(i) ? v.before.backingUsd.minus(v.after.backingUsd) : v.before.bufferUsd.minus(v.after.bufferUsd)).toNumber();
      initial[i] = equityF[i]! > 0 ? Math.min(1, Math.max(0, loss / equityF[i]!)) : 0;
    });
  } else {
    const i = c.venueKeys.indexOf(venueKey(shock.venue));
    if (i < 0) throw badInput(`shocked venue ${venueKey(shock.venue)} has no positions in the portfolio`);
    if (!(shock.lossFraction >= 0 && shock.lossFraction <= 1)) throw badInput(`lossFraction is ${shock.lossFraction}; expected a fraction in [0, 1]`);
    initial[i] = shock.lossFraction;
  }
  // A venue with no positive buffer is already insolvent: fully distressed from the start.
  const start = initial.map((x, i) => (equityF[i]! <= 0 ? 1 : x));
  const keyIndex = new Map(c.venueKeys.map((k, i) => [k, i]));
  const exposure = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const e of exposures) exposure[keyIndex.get(e.exposed)!]![keyIndex.get(e.source)!]! += e.lossAtFullDistressUsd.toNumber();
  const impact = exposure.map((row, i) => row.map((a) => (equityF[i]! > 0 ? Math.min(1, a / equityF[i]!) : 0)));
  const { distress, iterations } = debtRank(impact, start);
  const backing = c.headlineBacking.map((b) => money(b).toNumber());
  const totalBacking = backing.reduce((s, b) => s + Math.max(0, b), 0);
  const weighted = (h: readonly number[]) => (totalBacking > 0 ? h.reduce((s, x, i) => s + x * (Math.max(0, backing[i]!) / totalBacking), 0) : 0);
  const totalImpact = clamp01(weighted(distress));
  return {
    nodes: c.venues.map((venue, i) => ({
      venue,
      key: c.venueKeys[i]!,
      equityUsd: equity[i]!,
      initialDistress: start[i]!,
      distress: distress[i]!,
      lossUsd: equity[i]!.isPositive() ? equity[i]!.times(Decimal.fromNumber(distress[i]!)).rounded(2) : Decimal.ZERO,
    })),
    exposures,
    channels,
    totalImpact,
    debtRank: clamp01(totalImpact - weighted(start)),
    iterations,
    parameters: { sharedAccountWithdrawal: options.sharedAccountWithdrawal ?? DEFAULT_SHARED_ACCOUNT_WITHDRAWAL, movePerDepth: options.impact?.movePerDepth ?? DEFAULT_MOVE_PER_DEPTH },
  };
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
