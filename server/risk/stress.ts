/**
 * Stress test with liquidation cascade.
 *
 * 1. Shock: per-asset moves, and/or a market-wide move applied to every
 *    non-stable asset not moved by name (correlation forced to 1).
 * 2. Round r: every position liquidatable at the current factors and not yet
 *    liquidated is liquidated at those factors. Its forced trade is netted per
 *    asset: an order-book perp long sells its size, a short buys it; a lending
 *    liquidation sells the seized collateral and buys the repaid debt asset.
 *    Pool-backed perps (oracle-priced, the pool takes the other side) add no flow.
 * 3. Prices move by the price-impact model on the cumulative net flow; repeat
 *    until a round liquidates nothing. Each position is liquidated at most
 *    once, so the cascade ends after at most (number of positions + 1) rounds.
 *
 * Money is tallied exactly (micro-USD bigint) at the end, from the factor
 * vector of the round in which each position was liquidated.
 */
import { badInput } from './errors';
import { FACTOR_SCALE, maxBig, minBig, mulDiv, scaleByPpb, type MicroUsd } from './money';
import {
  compilePortfolio,
  factorsToPpb,
  lendingLiquidatableF,
  perpCollateralExact,
  perpEquityExact,
  perpPnlExact,
  sumTermsExact,
  sumTermsF,
  TRIGGER_TOLERANCE,
  type CompiledLending,
  type CompiledPortfolio,
} from './portfolio';
import { DEFAULT_MOVE_PER_DEPTH, impactFactor, type PriceImpactModel } from './price-impact';
import { balance, totalBalance, venueBalances, type VenueBalance } from './ratio';
import type { Portfolio, PriceMoves, Venue, VenueKey } from './types';

export interface StressScenario {
  /** Moves by asset name, e.g. { ETH: -0.3 }. */
  moves?: PriceMoves;
  /** Applied to every non-stable asset not in `moves`: correlation 1. */
  marketWide?: number;
  /** Run the liquidation cascade (default true); false liquidates once at the shocked prices. */
  cascade?: boolean;
  impact?: PriceImpactModel;
  /** Safety cap on rounds; the cascade ends on its own well before (default 100000). */
  maxRounds?: number;
}

export interface PoolStress {
  valueBeforeUsd: MicroUsd;
  valueAfterUsd: MicroUsd;
  /** Unrealised PnL of surviving pool-backed traders after the stress; positive = owed by the pool. */
  tradersPnlUsd: MicroUsd;
  /** tradersPnl / pool value after (float); null for an empty pool. */
  pnlToPool: number | null;
}

export interface VenueStress {
  venue: Venue;
  key: VenueKey;
  before: VenueBalance;
  after: VenueBalance;
  liquidatedPositions: number;
  /** Size of liquidated positions valued at current (pre-stress) prices: perps notional, lending debt. */
  liquidatedNotionalUsd: MicroUsd;
  /** Collateral taken from liquidated positions, at the prices of their liquidation round. */
  liquidatedCollateralUsd: MicroUsd;
  /** Bad debt: sum of max(0, obligations - collateral) over positions, never negative. */
  shortfallUsd: MicroUsd;
  pool: PoolStress | null;
}

export interface CascadeRound {
  liquidatedPositions: number;
  /** Price factor per asset at which this round's positions were liquidated. */
  factors: Record<string, number>;
}

export interface StressResult {
  venues: VenueStress[];
  total: Omit<VenueStress, 'venue' | 'key' | 'pool'>;
  /** Rounds that liquidated something. */
  rounds: number;
  cascade: CascadeRound[];
  /** Final price move per asset (shock plus cascade impact), as a fraction. */
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

/** Which positions the cascade liquidated, and in which round. Exported for the benchmark and tests. */
export interface CascadeOutcome {
  /** Round (0-based) in which each perp was liquidated, or -1. */
  perpRound: Int32Array;
  lendingRound: Int32Array;
  /** Factor vectors per round; the last entry is the final vector. */
  roundFactors: Float64Array[];
  finalFactors: Float64Array;
  rounds: number;
  roundCounts: number[];
  flowWithoutDepth: boolean[];
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
    depth[i] = Number(d) / 1e6;
  }
  const cascade = scenario.cascade !== false;
  const maxRounds = scenario.maxRounds ?? 100_000;

  // Perps per asset: longs by liquidation factor descending, shorts ascending; a pointer each.
  const longs: number[][] = Array.from({ length: nAssets }, () => []);
  const shorts: number[][] = Array.from({ length: nAssets }, () => []);
  c.perps.forEach((p, i) => (p.long ? longs : shorts)[p.asset]!.push(i));
  const longOrder = longs.map((ids) => Int32Array.from(ids.sort((a, b) => c.perps[b]!.liquidationFactor - c.perps[a]!.liquidationFactor)));
  const shortOrder = shorts.map((ids) => Int32Array.from(ids.sort((a, b) => c.perps[a]!.liquidationFactor - c.perps[b]!.liquidationFactor)));
  const longNext = new Int32Array(nAssets);
  const shortNext = new Int32Array(nAssets);

  const perpRound = new Int32Array(c.perps.length).fill(-1);
  const lendingRound = new Int32Array(c.lending.length).fill(-1);
  let aliveLending: number[] = c.lending.map((_, i) => i);
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
        const i = lo[longNext[a]!]!;
        longNext[a]!++;
        perpRound[i] = round;
        count++;
        const p = c.perps[i]!;
        if (!p.poolBacked) flow[a]! += p.notionalF;
      }
      const so = shortOrder[a]!;
      while (shortNext[a]! < so.length && x >= c.perps[so[shortNext[a]!]!]!.liquidationFactor * (1 - TRIGGER_TOLERANCE)) {
        const i = so[shortNext[a]!]!;
        shortNext[a]!++;
        perpRound[i] = round;
        count++;
        const p = c.perps[i]!;
        if (!p.poolBacked) flow[a]! -= p.notionalF;
      }
    }
    const stillAlive: number[] = [];
    for (const i of aliveLending) {
      const account = c.lending[i]!;
      if (lendingLiquidatableF(account, factors)) {
        lendingRound[i] = round;
        count++;
        lendingFlow(account, factors, flow);
      } else stillAlive.push(i);
    }
    aliveLending = stillAlive;
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
  return { perpRound, lendingRound, roundFactors, finalFactors: factors, rounds: roundCounts.length, roundCounts, flowWithoutDepth };
}

/** Collateral-weighted liquidation bonus of an account. */
function bonusOf(account: CompiledLending): number {
  let value = 0;
  let weighted = 0;
  for (const t of account.collateral) {
    value += t.valueF;
    weighted += t.valueF * t.bonus;
  }
  return value > 0 ? weighted / value : 0;
}

/**
 * A lending liquidation at factors f: the liquidator repays min(debt, collateral)
 * and seizes min(collateral, debt x (1 + bonus)), pro rata across the account's
 * assets. Flows are quantities (USD at current prices): seized collateral is sold,
 * repaid debt bought.
 */
function lendingFlow(account: CompiledLending, f: Float64Array, flow: Float64Array): void {
  const collateral = sumTermsF(account.collateral, f);
  const debt = sumTermsF(account.debt, f);
  if (collateral <= 0 || debt <= 0) return;
  const seizedShare = Math.min(1, (debt * (1 + bonusOf(account))) / collateral);
  const repaidShare = Math.min(1, collateral / debt);
  for (const t of account.collateral) flow[t.asset]! += t.valueF * seizedShare;
  for (const t of account.debt) flow[t.asset]! -= t.valueF * repaidShare;
}

interface Tally {
  backing: bigint;
  obligations: bigint;
  perpShortfall: bigint;
  shortfall: bigint;
  liquidatedPositions: number;
  liquidatedNotional: bigint;
  liquidatedCollateral: bigint;
  poolBefore: bigint;
  poolAfter: bigint;
  poolPnl: bigint;
  hasPool: boolean;
}

export function stressTest(portfolio: Portfolio | CompiledPortfolio, scenario: StressScenario): StressResult {
  const c = 'positions' in portfolio ? compilePortfolio(portfolio) : portfolio;
  const outcome = runCascade(c, scenario);
  const finalPpb = factorsToPpb(outcome.finalFactors);
  const roundPpb = outcome.roundFactors.map((f) => factorsToPpb(f));
  const tallies: Tally[] = c.venues.map(() => ({
    backing: 0n,
    obligations: 0n,
    perpShortfall: 0n,
    shortfall: 0n,
    liquidatedPositions: 0,
    liquidatedNotional: 0n,
    liquidatedCollateral: 0n,
    poolBefore: 0n,
    poolAfter: 0n,
    poolPnl: 0n,
    hasPool: false,
  }));

  c.perps.forEach((p, i) => {
    const t = tallies[p.venue]!;
    const round = outcome.perpRound[i]!;
    if (round >= 0) {
      const at = roundPpb[round]!;
      t.liquidatedPositions++;
      t.liquidatedNotional += p.notionalUsd;
      t.liquidatedCollateral += perpCollateralExact(p, at);
      const equity = perpEquityExact(p, at);
      if (equity < 0n) t.perpShortfall += -equity;
    } else {
      t.backing += perpCollateralExact(p, finalPpb);
      t.obligations += scaleByPpb(p.notionalUsd, finalPpb[p.asset]!);
      const equity = perpEquityExact(p, finalPpb);
      if (equity < 0n) t.perpShortfall += -equity;
      if (p.poolBacked) t.poolPnl += perpPnlExact(p, finalPpb);
    }
  });

  c.lending.forEach((a, i) => {
    const t = tallies[a.venue]!;
    const round = outcome.lendingRound[i]!;
    if (round >= 0) {
      const at = roundPpb[round]!;
      const collateral = sumTermsExact(a.collateral, at);
      const debt = sumTermsExact(a.debt, at);
      const bonusPpb = BigInt(Math.round(bonusOf(a) * 1e9));
      const seized = minBig(collateral, mulDiv(debt, FACTOR_SCALE + bonusPpb, FACTOR_SCALE));
      const repaid = minBig(debt, collateral);
      t.liquidatedPositions++;
      for (const d of a.debt) t.liquidatedNotional += d.valueUsd;
      t.liquidatedCollateral += seized;
      const residualDebt = debt - repaid;
      t.shortfall += residualDebt;
      // What is left of the collateral stays with the account, valued at final prices.
      if (collateral > 0n) t.backing += mulDiv(sumTermsExact(a.collateral, finalPpb), collateral - seized, collateral);
      t.obligations += residualDebt;
    } else {
      const collateral = sumTermsExact(a.collateral, finalPpb);
      const debt = sumTermsExact(a.debt, finalPpb);
      t.backing += collateral;
      t.obligations += debt;
      t.shortfall += maxBig(0n, debt - collateral);
    }
  });

  for (const pool of c.pools) {
    const t = tallies[pool.venue]!;
    t.hasPool = true;
    for (const h of pool.holdings) {
      t.poolBefore += h.valueUsd;
      t.poolAfter += scaleByPpb(h.valueUsd, finalPpb[h.asset]!);
    }
  }

  const before = venueBalances(c);
  const venues: VenueStress[] = c.venues.map((venue, v) => {
    const t = tallies[v]!;
    const key = c.venueKeys[v]!;
    // Perps bad debt is absorbed by the venue's backing (pool or insurance).
    const after = balance(venue, key, t.backing + t.poolAfter - t.perpShortfall, t.obligations);
    return {
      venue,
      key,
      before: before[v]!,
      after,
      liquidatedPositions: t.liquidatedPositions,
      liquidatedNotionalUsd: t.liquidatedNotional,
      liquidatedCollateralUsd: t.liquidatedCollateral,
      shortfallUsd: t.shortfall + t.perpShortfall,
      pool: t.hasPool
        ? {
            valueBeforeUsd: t.poolBefore,
            valueAfterUsd: t.poolAfter,
            tradersPnlUsd: t.poolPnl,
            pnlToPool: t.poolAfter === 0n ? null : Number(t.poolPnl) / Number(t.poolAfter),
          }
        : null,
    };
  });

  const total = {
    before: totalBalance(venues.map((v) => v.before)),
    after: totalBalance(venues.map((v) => v.after)),
    liquidatedPositions: venues.reduce((n, v) => n + v.liquidatedPositions, 0),
    liquidatedNotionalUsd: venues.reduce((n, v) => n + v.liquidatedNotionalUsd, 0n),
    liquidatedCollateralUsd: venues.reduce((n, v) => n + v.liquidatedCollateralUsd, 0n),
    shortfallUsd: venues.reduce((n, v) => n + v.shortfallUsd, 0n),
  };
  const named = (f: Float64Array, shift: number) => Object.fromEntries(c.assetNames.map((name, i) => [name, f[i]! + shift]));
  return {
    venues,
    total,
    rounds: outcome.rounds,
    cascade: outcome.roundFactors.map((f, r) => ({ liquidatedPositions: outcome.roundCounts[r]!, factors: named(f, 0) })),
    finalMoves: named(outcome.finalFactors, -1),
    assetsWithoutDepth: c.assetNames.filter((_, i) => outcome.flowWithoutDepth[i]),
  };
}
