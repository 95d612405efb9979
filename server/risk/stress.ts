/**
 * Stress test with a liquidation cascade, under each venue's own rules.
 *
 * 1. Shock: per-asset moves, and/or a market-wide move applied to every
 *    non-stable asset not moved by name (correlation forced to 1).
 * 2. Round r: every position liquidatable at the round's prices, not yet
 *    liquidated and not pending (already liquidatable before the shock, see
 *    portfolio.ts), is liquidated:
 *    - perps (GMX, Synthetix: oracle-priced, the pool or debt pool is the
 *      counterparty) are closed whole; no market trade.
 *    - lending accounts (Aave v3.3's LiquidationLogic) take liquidation calls
 *      until their health factor is back at 1 or their collateral is gone:
 *      each call repays the close factor of the debt (50%; 100% when the
 *      health factor is below 0.95, or the account's collateral or debt is
 *      under 2,000 USD, or a partial call would leave less than 1,000 USD of
 *      either) and seizes that repayment times (1 + liquidation bonus) of
 *      collateral, capped by what is left. Debt left when the collateral runs
 *      out is bad debt (Aave v3.3 books it as the reserve's deficit). The
 *      liquidator sells the seized collateral and buys the repaid debt asset.
 * 3. Prices move by the price-impact model on the cumulative net flow; repeat
 *    until a round liquidates nothing.
 *
 * Money is tallied exactly from each venue's headline balance (solvency.ts):
 * after = headline + the change every position and pool makes between now
 * and the final prices, so a scenario with no move returns the headline
 * figures exactly. Decisions (who is liquidatable, how many calls) use
 * floats; the amounts are replayed in exact digits (money.ts).
 */
import { Decimal } from '../numeric/decimal';
import { badInput } from './errors';
import { FACTOR_SCALE, fromDigits, minBig, mulDiv } from './money';
import {
  compilePortfolio,
  factorsToPpb,
  fixedExact,
  perpCollateralExact,
  perpEquityExact,
  perpObligationExact,
  perpPnlExact,
  sumTermsExact,
  sumTermsF,
  TRIGGER_TOLERANCE,
  type CompiledLending,
  type CompiledPortfolio,
} from './portfolio';
import { DEFAULT_MOVE_PER_DEPTH, impactFactor, type PriceImpactModel } from './price-impact';
import { addBalances, solvency, type CollateralModel, type Solvency } from './solvency';
import type { Portfolio, PriceMoves, Venue, VenueKey } from './types';

/** Aave v3.3 LiquidationLogic constants (aave-dao/aave-v3-origin, src/contracts/protocol/libraries/logic/LiquidationLogic.sol). */
export const AAVE_LIQUIDATION = {
  /** DEFAULT_LIQUIDATION_CLOSE_FACTOR: 50% of the debt per call. */
  closeFactor: 0.5,
  /** CLOSE_FACTOR_HF_THRESHOLD: below this health factor a call may repay all the debt. */
  fullCloseBelowHealth: 0.95,
  /** MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD: 2,000 USD (base currency); collateral or debt below it may be closed whole. */
  smallPositionUsd: 2000,
  /** MIN_LEFTOVER_BASE = MIN_BASE_MAX_CLOSE_FACTOR_THRESHOLD / 2: a partial call must leave at least this much of both. */
  minLeftoverUsd: 1000,
  /** Bound on calls per account and round (each partial call halves the debt). */
  maxCallsPerRound: 64,
} as const;

export interface StressScenario {
  /** Moves by asset name, e.g. { ETH: -0.3 }. */
  moves?: PriceMoves;
  /** Applied to every non-stable asset not in `moves`: correlation 1. */
  marketWide?: number;
  /** Run the liquidation cascade (default true); false liquidates once at the shocked prices. */
  cascade?: boolean;
  impact?: PriceImpactModel;
  /** Safety cap on rounds; the cascade ends on its own well before (default 10000). */
  maxRounds?: number;
}

export interface CascadeRound {
  liquidatedPositions: number;
  /** Price factor per asset at which this round's positions were liquidated. */
  factors: Record<string, number>;
}

/** A venue's, or the total's, figures before and after a stress. */
export interface StressTotal {
  before: Solvency;
  after: Solvency;
  liquidatedPositions: number;
  /** Obligations the liquidations removed: perps' size, lending debt repaid (at the prices of their round). */
  liquidatedObligationsUsd: Decimal;
  /** Collateral the liquidations took: perps' collateral, lending collateral seized (at the prices of their round). */
  liquidatedCollateralUsd: Decimal;
  /** Bad debt the stress created: lending debt left without collateral, perps' losses beyond their collateral. */
  shortfallUsd: Decimal;
  /** Positions already liquidatable before the shock, carried unliquidated (portfolio.ts). */
  pendingPositions: number;
}

export interface VenueStress extends StressTotal {
  venue: Venue;
  key: VenueKey;
  model: CollateralModel;
  /** Pool models: unrealised PnL of surviving traders at the final prices; positive = owed by the pool. Null elsewhere. */
  tradersPnlUsd: Decimal | null;
}

export interface StressResult {
  venues: VenueStress[];
  total: StressTotal;
  /** Rounds that liquidated something. */
  rounds: number;
  cascade: CascadeRound[];
  /** Final price move per asset (shock plus cascade impact), as a fraction rounded to 1e-9. */
  finalMoves: Record<string, number>;
  /** Assets that received liquidation flow but have no depth: no impact applied. */
  assetsWithoutDepth: string[];
}

/** Initial factors: 1 + move; named moves win over the market-wide move. */
export function shockFactors(c: CompiledPortfolio, scenario: Pick<StressScenario, 'moves' | 'marketWide'>): Float64Array {
  const f = new Float64Array(c.assetNames.length).fill(1);
  if (scenario.marketWide !== undefined) {
    checkMove(scenario.marketWide, 'marketWide');
    c.volatile.forEach((v, i) => {
      if (v) f[i] = 1 + scenario.marketWide!;
    });
  }
  for (const [asset, move] of Object.entries(scenario.moves ?? {})) {
    const i = c.assetIndex.get(asset);
    if (i === undefined) throw badInput(`scenario moves unknown asset "${asset}"; add it to the asset table`);
    checkMove(move, `move of ${asset}`);
    f[i] = 1 + move;
  }
  return f;
}

function checkMove(move: number, what: string): void {
  if (!Number.isFinite(move) || move < -1) throw badInput(`${what} is ${move}; a price move is a fraction >= -1`);
}

/** One liquidation call as decided on floats: its round and close factor. */
interface LendingCall {
  round: number;
  closeFactor: number;
}

/** Which positions the cascade liquidated, and in which round. Exported for the benchmark and tests. */
export interface CascadeOutcome {
  /** Round (0-based) in which each perp was liquidated, or -1. */
  perpRound: Int32Array;
  /** Liquidation calls per lending account, in order. */
  lendingCalls: LendingCall[][];
  /** Factor vectors per round that liquidated something. */
  roundFactors: Float64Array[];
  finalFactors: Float64Array;
  rounds: number;
  roundCounts: number[];
  flowWithoutDepth: boolean[];
}

interface LendingStateF {
  /** Share of the account's collateral and debt still there (pro rata across its assets). */
  collateralKeep: number;
  debtKeep: number;
}

/**
 * Liquidation calls on one account at factors f, on floats, until it is
 * healthy or has nothing left to seize. Adds the liquidator's trades to
 * `flow` (USD at current prices: seized collateral sold, repaid debt bought).
 */
function liquidateF(a: CompiledLending, f: ArrayLike<number>, state: LendingStateF, round: number, calls: LendingCall[], flow: Float64Array): number {
  const rules = AAVE_LIQUIDATION;
  let made = 0;
  for (let n = 0; n < rules.maxCallsPerRound; n++) {
    const collateral = sumTermsF(a.collateral, f) * state.collateralKeep;
    const debt = sumTermsF(a.debt, f) * state.debtKeep;
    if (!(collateral > 0) || !(debt > 0)) break;
    const weighted = sumTermsF(a.collateral, f, true) * state.collateralKeep;
    if (weighted >= debt * (1 - TRIGGER_TOLERANCE)) break;
    let closeFactor = weighted / debt < rules.fullCloseBelowHealth || collateral < rules.smallPositionUsd || debt < rules.smallPositionUsd ? 1 : rules.closeFactor;
    let { repay, seize } = callAmountsF(collateral, debt, closeFactor, a.bonus);
    if (closeFactor < 1 && (collateral - seize < rules.minLeftoverUsd || debt - repay < rules.minLeftoverUsd)) {
      closeFactor = 1;
      ({ repay, seize } = callAmountsF(collateral, debt, closeFactor, a.bonus));
    }
    calls.push({ round, closeFactor });
    made++;
    const seizedShare = seize / collateral;
    const repaidShare = repay / debt;
    for (const t of a.collateral) flow[t.asset]! += t.valueF * state.collateralKeep * seizedShare;
    for (const t of a.debt) flow[t.asset]! -= t.valueF * state.debtKeep * repaidShare;
    state.collateralKeep *= 1 - seizedShare;
    state.debtKeep *= 1 - repaidShare;
  }
  return made;
}

function callAmountsF(collateral: number, debt: number, closeFactor: number, bonus: number): { repay: number; seize: number } {
  let repay = debt * closeFactor;
  let seize = repay * (1 + bonus);
  if (seize > collateral) {
    seize = collateral;
    repay = collateral / (1 + bonus);
  }
  return { repay, seize };
}

/** Runs the cascade on floats; no money is tallied here. */
export function runCascade(c: CompiledPortfolio, scenario: StressScenario): CascadeOutcome {
  const nAssets = c.assetNames.length;
  const shocked = shockFactors(c, scenario);
  const movePerDepth = scenario.impact?.movePerDepth ?? DEFAULT_MOVE_PER_DEPTH;
  const depth = c.depthF.slice();
  for (const [asset, d] of Object.entries(scenario.impact?.depthUsd ?? {})) {
    const i = c.assetIndex.get(asset);
    if (i === undefined) throw badInput(`impact.depthUsd names unknown asset "${asset}"`);
    depth[i] = d.toNumber();
  }
  const cascade = scenario.cascade !== false;
  const maxRounds = scenario.maxRounds ?? 10_000;

  // Perps per asset: longs by liquidation factor descending, shorts ascending; a pointer each. Pending perps stay out.
  const longs: number[][] = Array.from({ length: nAssets }, () => []);
  const shorts: number[][] = Array.from({ length: nAssets }, () => []);
  c.perps.forEach((p, i) => {
    if (!p.pending) (p.long ? longs : shorts)[p.asset]!.push(i);
  });
  const longOrder = longs.map((ids) => Int32Array.from(ids.sort((a, b) => c.perps[b]!.liquidationFactor - c.perps[a]!.liquidationFactor)));
  const shortOrder = shorts.map((ids) => Int32Array.from(ids.sort((a, b) => c.perps[a]!.liquidationFactor - c.perps[b]!.liquidationFactor)));
  const longNext = new Int32Array(nAssets);
  const shortNext = new Int32Array(nAssets);

  const perpRound = new Int32Array(c.perps.length).fill(-1);
  const lendingCalls: LendingCall[][] = c.lending.map(() => []);
  const lendingState: LendingStateF[] = c.lending.map(() => ({ collateralKeep: 1, debtKeep: 1 }));
  let alive: number[] = [];
  c.lending.forEach((a, i) => {
    if (!a.pending && a.debt.length > 0 && a.collateral.length > 0) alive.push(i);
  });
  const netSell = new Float64Array(nAssets);
  const flowWithoutDepth = new Array<boolean>(nAssets).fill(false);
  const roundFactors: Float64Array[] = [];
  const roundCounts: number[] = [];
  let factors = shocked.slice();

  for (let round = 0; round < maxRounds; round++) {
    let count = 0;
    const flow = new Float64Array(nAssets);
    for (let a = 0; a < nAssets; a++) {
      const x = factors[a]!;
      const lo = longOrder[a]!;
      while (longNext[a]! < lo.length && x <= c.perps[lo[longNext[a]!]!]!.liquidationFactor * (1 + TRIGGER_TOLERANCE)) {
        perpRound[lo[longNext[a]!]!] = round;
        longNext[a]!++;
        count++;
      }
      const so = shortOrder[a]!;
      while (shortNext[a]! < so.length && x >= c.perps[so[shortNext[a]!]!]!.liquidationFactor * (1 - TRIGGER_TOLERANCE)) {
        perpRound[so[shortNext[a]!]!] = round;
        shortNext[a]!++;
        count++;
      }
    }
    const stillAlive: number[] = [];
    for (const i of alive) {
      const state = lendingState[i]!;
      if (liquidateF(c.lending[i]!, factors, state, round, lendingCalls[i]!, flow) > 0) count++;
      if (state.collateralKeep > 0 && state.debtKeep > 0) stillAlive.push(i);
    }
    alive = stillAlive;
    if (count === 0) break;
    roundFactors.push(factors);
    roundCounts.push(count);
    if (!cascade) break;
    const next = new Float64Array(nAssets);
    for (let a = 0; a < nAssets; a++) {
      netSell[a]! += flow[a]!;
      if (flow[a] !== 0 && !(depth[a]! > 0)) flowWithoutDepth[a] = true;
      next[a] = shocked[a]! * impactFactor(netSell[a]!, depth[a]!, movePerDepth);
    }
    factors = next;
  }
  return { perpRound, lendingCalls, roundFactors, finalFactors: factors, rounds: roundCounts.length, roundCounts, flowWithoutDepth };
}

/** Exact replay of one account's liquidation calls: what they repaid and seized, and what is left at the final prices. */
function replayLending(a: CompiledLending, calls: readonly LendingCall[], roundPpb: readonly bigint[][], finalPpb: readonly bigint[]) {
  // Shares kept, as exact fractions (numerator / denominator); amounts are digits at scale + 9.
  const collateralKeep = { n: 1n, d: 1n };
  const debtKeep = { n: 1n, d: 1n };
  const kept = (amount: bigint, keep: { n: bigint; d: bigint }) => (amount * keep.n) / keep.d;
  let repaidTotal = 0n;
  let seizedTotal = 0n;
  const onePlusBonus = FACTOR_SCALE + a.bonusPpb;
  for (const call of calls) {
    const at = roundPpb[call.round]!;
    const collateral = kept(sumTermsExact(a.collateral, at), collateralKeep);
    const debt = kept(sumTermsExact(a.debt, at), debtKeep);
    if (collateral <= 0n || debt <= 0n) break;
    let repay = call.closeFactor === 1 ? debt : mulDiv(debt, BigInt(Math.round(call.closeFactor * 1e9)), FACTOR_SCALE);
    let seize = mulDiv(repay, onePlusBonus, FACTOR_SCALE);
    if (seize > collateral) {
      seize = collateral;
      repay = minBig(debt, mulDiv(collateral, FACTOR_SCALE, onePlusBonus));
    }
    repaidTotal += repay;
    seizedTotal += seize;
    collateralKeep.n *= collateral - seize;
    collateralKeep.d *= collateral;
    debtKeep.n *= debt - repay;
    debtKeep.d *= debt;
  }
  return {
    repaid: repaidTotal,
    seized: seizedTotal,
    collateralAfter: kept(sumTermsExact(a.collateral, finalPpb), collateralKeep),
    debtAfter: kept(sumTermsExact(a.debt, finalPpb), debtKeep),
  };
}

interface Tally {
  backingDelta: bigint;
  obligationsDelta: bigint;
  shortfall: bigint;
  liquidatedPositions: number;
  liquidatedObligations: bigint;
  liquidatedCollateral: bigint;
  pending: number;
  poolPnl: bigint;
}

export function stressTest(portfolio: Portfolio | CompiledPortfolio, scenario: StressScenario): StressResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const outcome = runCascade(c, scenario);
  return tallyStress(c, outcome);
}

/** The exact figures of a cascade outcome. */
export function tallyStress(c: CompiledPortfolio, outcome: CascadeOutcome): StressResult {
  const finalPpb = factorsToPpb(outcome.finalFactors);
  const roundPpb = outcome.roundFactors.map((f) => factorsToPpb(f));
  const tallies: Tally[] = c.venues.map(() => ({
    backingDelta: 0n,
    obligationsDelta: 0n,
    shortfall: 0n,
    liquidatedPositions: 0,
    liquidatedObligations: 0n,
    liquidatedCollateral: 0n,
    pending: 0,
    poolPnl: 0n,
  }));

  c.perps.forEach((p, i) => {
    const t = tallies[p.venue]!;
    const margin = c.models[p.venue] === 'TRADER_MARGIN';
    if (p.pending) t.pending++;
    const round = outcome.perpRound[i]!;
    if (round >= 0) {
      const at = roundPpb[round]!;
      t.liquidatedPositions++;
      t.liquidatedObligations += fixedExact(p.size);
      t.liquidatedCollateral += perpCollateralExact(p, at);
      t.obligationsDelta -= fixedExact(p.size);
      // A trader-margin venue loses the liquidated margin (to the keeper and the backstop); a pool keeps it.
      if (margin) t.backingDelta -= fixedExact(p.collateral);
      const equity = perpEquityExact(p, at);
      if (equity < 0n) t.shortfall += -equity;
    } else {
      t.obligationsDelta += perpObligationExact(p, finalPpb) - fixedExact(p.size);
      const pnlChange = perpPnlExact(p, finalPpb) - perpPnlExact(p, nowPpb(c));
      if (margin) t.backingDelta += pnlChange;
      else t.poolPnl += perpPnlExact(p, finalPpb);
    }
  });

  c.lending.forEach((a, i) => {
    const t = tallies[a.venue]!;
    if (a.pending) t.pending++;
    const now = nowPpb(c);
    const calls = outcome.lendingCalls[i]!;
    const r = replayLending(a, calls, roundPpb, finalPpb);
    if (calls.length > 0) {
      t.liquidatedPositions++;
      t.liquidatedObligations += r.repaid;
      t.liquidatedCollateral += r.seized;
      if (r.collateralAfter === 0n && r.debtAfter > 0n) t.shortfall += r.debtAfter;
    }
    t.backingDelta += r.collateralAfter - sumTermsExact(a.collateral, now);
    t.obligationsDelta += r.debtAfter - sumTermsExact(a.debt, now);
  });

  for (const pool of c.pools) {
    const t = tallies[pool.venue]!;
    for (const h of pool.holdings) t.backingDelta += h.value * (finalPpb[h.asset]! - FACTOR_SCALE);
  }

  const tallyScale = c.scale + 9;
  const money = (digits: bigint) => fromDigits(digits, tallyScale);
  const venues: VenueStress[] = c.venues.map((venue, v) => {
    const t = tallies[v]!;
    const backing = fixedExact(c.headlineBacking[v]!);
    const obligations = fixedExact(c.headlineObligations[v]!);
    const pooled = c.models[v] === 'SHARED_POOL' || c.models[v] === 'MARKET_POOL';
    return {
      venue,
      key: c.venueKeys[v]!,
      model: c.models[v]!,
      before: solvency({ backingUsd: money(backing), obligationsUsd: money(obligations) }),
      after: solvency({ backingUsd: money(backing + t.backingDelta), obligationsUsd: money(obligations + t.obligationsDelta) }),
      liquidatedPositions: t.liquidatedPositions,
      liquidatedObligationsUsd: money(t.liquidatedObligations),
      liquidatedCollateralUsd: money(t.liquidatedCollateral),
      shortfallUsd: money(t.shortfall),
      pendingPositions: t.pending,
      tradersPnlUsd: pooled ? money(t.poolPnl) : null,
    };
  });

  const sumOf = (pick: (v: VenueStress) => Decimal) => venues.reduce((s, v) => s.plus(pick(v)), Decimal.ZERO);
  const total: StressTotal = {
    before: solvency(addBalances(venues.map((v) => v.before))),
    after: solvency(addBalances(venues.map((v) => v.after))),
    liquidatedPositions: venues.reduce((n, v) => n + v.liquidatedPositions, 0),
    liquidatedObligationsUsd: sumOf((v) => v.liquidatedObligationsUsd),
    liquidatedCollateralUsd: sumOf((v) => v.liquidatedCollateralUsd),
    shortfallUsd: sumOf((v) => v.shortfallUsd),
    pendingPositions: venues.reduce((n, v) => n + v.pendingPositions, 0),
  };
  const named = (f: Float64Array) => Object.fromEntries(c.assetNames.map((name, i) => [name, Math.round((f[i]! - 1) * 1e9) / 1e9]));
  return {
    venues,
    total,
    rounds: outcome.rounds,
    cascade: outcome.roundFactors.map((f, r) => ({ liquidatedPositions: outcome.roundCounts[r]!, factors: Object.fromEntries(c.assetNames.map((name, i) => [name, f[i]!])) })),
    finalMoves: named(outcome.finalFactors),
    assetsWithoutDepth: c.assetNames.filter((_, i) => outcome.flowWithoutDepth[i]),
  };
}

const nowCache = new WeakMap<CompiledPortfolio, bigint[]>();

/** Factors of 1 for every asset, in parts per billion. */
function nowPpb(c: CompiledPortfolio): bigint[] {
  let now = nowCache.get(c);
  if (!now) nowCache.set(c, (now = c.assetNames.map(() => FACTOR_SCALE)));
  return now;
}
