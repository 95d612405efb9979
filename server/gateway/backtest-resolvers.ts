/**
 * The backtest queries, against the deployment's own indexed hourly history:
 * - backtest: the forecast model (server/risk/forecast.ts), by
 *   server/risk/backtest.ts's backtestForecast;
 * - riskBacktest: the Monte Carlo VaR/LaR (monte-carlo.ts) and the
 *   liquidation curve, from the portfolio read at each origin's block
 *   (risk-portfolio.ts, time travel), volatilities from the prices before it
 *   (risk-history.ts), against what followed (backtest-history.ts).
 * The computations run in the risk pool.
 */
import { GraphQLError } from 'graphql';
import { Decimal } from '../numeric/decimal';
import { RiskError, portfolioToWire } from '../risk';
import { SourceError, sourceKey, type BlockPin } from '../sources';
import type { GatewayContext } from './context';
import { BACKTEST_DEFAULT_HOURS, BACKTEST_DEFAULT_WINDOW_HOURS, COST_CAPS, RISK_BACKTEST_DEFAULTS, fieldWeight } from './cost';
import { bookedBadDebtAt, firstSnapshotHour, readHourSnapshots, readLiquidations, stateAt, HOUR_SECONDS, MAX_LIQUIDATIONS, type HourSnapshot } from './backtest-history';
import { readProtocol } from './figures';
import type { Resolvers } from './generated/resolvers-types';
import type { SourceRead } from './parents';
import { provenanceOf } from './provenance';
import { history, sourceGraphQLError, sourceOf, userError } from './resolvers';
import { compute } from './risk-resolvers';
import { readHourlyPrices, volatilityFromPrices, type HourlyPrices } from './risk-history';
import { buildPortfolio } from './risk-portfolio';
import type { RiskBacktestStepInput } from './risk-tasks';

const HOUR = HOUR_SECONDS;

export const backtestResolvers: Resolvers = {
  Query: {
    backtest: async (_, { protocol, network, from, to, windowHours, horizonHours, confidence, bandLevel, threshold }, ctx) => {
      const window = windowHours ?? BACKTEST_DEFAULT_WINDOW_HOURS;
      const horizon = horizonHours ?? 1;
      // cost.ts refuses these before anything runs; checked again here for callers that bypass the plugin.
      if (!(Number.isInteger(window) && window >= 3 && window <= COST_CAPS.backtestWindowHours)) throw userError(`windowHours must be a whole number from 3 to ${COST_CAPS.backtestWindowHours}`);
      if (!(Number.isInteger(horizon) && horizon >= 1 && horizon <= COST_CAPS.backtestHorizonHours)) throw userError(`horizonHours must be a whole number from 1 to ${COST_CAPS.backtestHorizonHours}`);
      const level = confidence ?? 0.95;
      if (!(level > 0.5 && level < 1)) throw userError('`confidence` must be above 0.5 and below 1');
      const band = bandLevel ?? 0.9;
      if (!(band > 0 && band < 1)) throw userError('`bandLevel` must be above 0 and below 1');
      const limit = threshold ?? 1;
      if (!(limit > 0)) throw userError('`threshold` must be above 0');
      const source = sourceOf(ctx.sources, protocol, network);
      let start = from ?? null;
      if (start === null) {
        let head;
        try {
          head = await ctx.sources.head(source);
        } catch (e) {
          throw e instanceof SourceError ? sourceGraphQLError(e) : e;
        }
        const end = to ?? head.timestamp ?? 0;
        start = Math.max(0, end - (BACKTEST_DEFAULT_HOURS - 1) * HOUR);
      }
      const { points, reads } = await history(ctx, protocol, network, 'HOUR', start, to);
      const observations = points.filter((p) => p.ratio !== null && Number(p.ratio) > 0).map((p) => ({ time: p.timestamp, ratio: Number(p.ratio) }));
      const options = { window, horizonSteps: horizon, confidence: level, bandLevel: band, threshold: limit };
      const result = await compute(ctx, 'backtest', { observations, options });
      const parameters = { protocol, network, ...options, from: observations[0]?.time ?? null, to: observations[observations.length - 1]?.time ?? null };
      return {
        protocol,
        network,
        observations: observations.length,
        from: observations[0]?.time ?? null,
        to: observations[observations.length - 1]?.time ?? null,
        windowHours: window,
        horizonHours: horizon,
        ...result,
        provenance: provenanceOf('backtest', parameters, reads),
      };
    },
    riskBacktest: async (_, args, ctx) => riskBacktestAnswer(ctx, args),
  },
};

/** What the comparison cannot see: the answer states it. */
const NOTES = {
  perp: 'realised liquidations are the liquidations the venue executed: a position liquidatable at the horizon but not yet liquidated by then counts as not liquidated',
  lending:
    'Aave liquidates part of a debt per call (the close factor): realised liquidations are the debt covered, the LaR counts the whole debt of liquidatable accounts; realised insolvency is the rise of booked deficits (DeficitCreated), which Aave books only when an account is left with debt and no collateral',
  shortfall: 'realised insolvency is the liquidations\' shortfall (loss beyond the collateral): bad debt of a position not yet liquidated is not in it',
  prices: "prices are the tokens' last prices at each hour's last snapshot block; an hour without a snapshot carries the last hour's state and prices",
  curve: "the curve moves one asset with the others unchanged; the realised move is over the horizon, and every liquidation in a position of the asset counts",
};

/** The price of `asset` at the end of `hour`: the last price at or before it (an hour without a snapshot carries the state before it). */
function priceAt(prices: HourlyPrices, asset: string, hour: number, earliest: number): number | null {
  const series = prices.get(asset);
  if (!series) return null;
  for (let h = hour; h >= earliest; h--) {
    const p = series.get(h);
    if (p !== undefined) return p;
  }
  return null;
}

async function riskBacktestAnswer(
  ctx: GatewayContext,
  args: {
    protocol: string;
    network: string;
    from?: number | null;
    to?: number | null;
    windowHours?: number | null;
    horizonHours?: number | null;
    confidence?: number | null;
    paths?: number | null;
    observations?: number | null;
    seed?: number | null;
    minMove?: number | null;
  },
) {
  const d = RISK_BACKTEST_DEFAULTS;
  const window = args.windowHours ?? d.windowHours;
  const horizon = args.horizonHours ?? d.horizonHours;
  const observations = args.observations ?? d.observations;
  const paths = args.paths ?? d.paths;
  // cost.ts refuses these before anything runs (naming the cap); checked again here for callers that bypass the plugin.
  fieldWeight('riskBacktest', { windowHours: window, horizonHours: horizon, observations, paths });
  const confidence = args.confidence ?? 0.95;
  if (!(confidence > 0.5 && confidence < 1)) throw userError('`confidence` must be above 0.5 and below 1');
  const seed = args.seed ?? 1;
  if (!Number.isInteger(seed)) throw userError('`seed` must be a whole number');
  const minMove = args.minMove ?? 0.01;
  if (!(minMove > 0 && minMove < 1)) throw userError('`minMove` must be above 0 and below 1');
  if ((args.from ?? 0) < 0 || (args.to ?? 0) < 0) throw userError('`from` and `to` must not be negative');
  const { protocol, network } = args;
  const rs = ctx.sources;
  const source = sourceOf(rs, protocol, network);
  const errorsBefore = ctx.sourceErrors.length;
  try {
    const head = await rs.head(source);
    // An hour is complete once a block after it is indexed: outcomes end before the head's hour.
    const headHour = Math.floor((head.timestamp ?? 0) / HOUR) - 1;
    const lastOutcomeHour = Math.min(headHour, args.to === null || args.to === undefined ? headHour : Math.floor(args.to / HOUR));
    const first = await firstSnapshotHour(rs, source, head);
    if (first === null) throw new RiskError('RISK_TOO_LITTLE_HISTORY', `${sourceKey(source)} has no hourly snapshot yet`);
    const lowest = args.from === null || args.from === undefined ? first + window : Math.floor(args.from / HOUR);
    // Origins step back from the last one by the horizon, so outcomes do not overlap; the latest `observations` are checked.
    const candidates: number[] = [];
    for (let h = lastOutcomeHour - horizon; h >= lowest; h -= horizon) candidates.push(h);
    const origins = candidates.slice(0, observations).reverse();
    const originsBeyondCap = candidates.length - origins.length;
    if (origins.length < 2) {
      throw new RiskError(
        'RISK_TOO_LITTLE_HISTORY',
        `a risk backtest needs at least 2 origins: hours ${lowest} to ${lastOutcomeHour} (since the epoch) with a horizon of ${horizon} give ${origins.length}; widen from/to, or shorten windowHours or horizonHours`,
      );
    }
    const fromHour = origins[0]! - window;
    if (lastOutcomeHour - fromHour + 1 > COST_CAPS.riskBacktestSpanHours) throw userError(`from, to: that spans ${lastOutcomeHour - fromHour + 1} hours; at most ${COST_CAPS.riskBacktestSpanHours}`);
    const [snapshots, prices, liquidations] = await Promise.all([
      readHourSnapshots(rs, source, head, fromHour, lastOutcomeHour),
      readHourlyPrices(ctx, [source], { fromHour, toHour: lastOutcomeHour }, null),
      readLiquidations(rs, source, head, origins[0]! + 1, lastOutcomeHour).catch((e) => {
        if (e instanceof SourceError && e.code === 'NO_DATA' && /more than/.test(e.message)) {
          throw userError(`riskBacktest(from, to): more than ${MAX_LIQUIDATIONS} liquidations in the window; narrow from/to`);
        }
        throw e;
      }),
    ]);
    if (ctx.sourceErrors.length > errorsBefore) throw ctx.sourceErrors[ctx.sourceErrors.length - 1]!;
    const pins = new Map<number, Promise<BlockPin>>();
    const pinAt = (block: number) => {
      if (!pins.has(block)) pins.set(block, rs.atBlock(source, block));
      return pins.get(block)!;
    };
    const lending = (await readProtocol(rs, source, head)).model === 'OVERCOLLATERALIZED_LENDING';
    const badDebt = new Map<number, Promise<Decimal>>();
    const badDebtAt = (state: HourSnapshot) => {
      if (!badDebt.has(state.blockNumber)) badDebt.set(state.blockNumber, pinAt(state.blockNumber).then((pin) => bookedBadDebtAt(rs, source, pin)));
      return badDebt.get(state.blockNumber)!;
    };

    const leftOut = {
      originsBeyondCap,
      originsWithoutSnapshot: [] as number[],
      originsWithTooLittlePriceHistory: [] as number[],
      unpricedPositions: 0,
      liquidationsWithUnknownShortfall: 0,
      unpricedLiquidations: 0,
      notes: [lending ? NOTES.lending : NOTES.perp, ...(lending ? [] : [NOTES.shortfall]), NOTES.prices, NOTES.curve],
    };
    const steps: RiskBacktestStepInput[] = [];
    const used: Array<{ hour: number; blockNumber: number }> = [];
    const reads: SourceRead[] = [{ source, pin: head }];
    for (const hour of origins) {
      const state = stateAt(snapshots, hour);
      if (!state) {
        leftOut.originsWithoutSnapshot.push(hour * HOUR);
        continue;
      }
      const pin = await pinAt(state.blockNumber);
      const built = await buildPortfolio(ctx, [source], new Map([[sourceKey(source), pin]]));
      if (built.missingSources.length) throw ctx.sourceErrors[ctx.sourceErrors.length - 1]!;
      const volatile = Object.entries(built.portfolio.assets)
        .filter(([, a]) => !a.stable)
        .map(([name]) => name)
        .sort();
      let estimate;
      try {
        estimate = volatilityFromPrices(prices, volatile, { fromHour: hour - window, throughHour: hour }, `in the ${window} hours before`, `over the ${window} hours before`);
      } catch (e) {
        if (!(e instanceof RiskError)) throw e;
        leftOut.originsWithTooLittlePriceHistory.push(hour * HOUR);
        continue;
      }
      leftOut.unpricedPositions += built.unpricedPositions;
      const after = liquidations.filter((l) => l.hour > hour && l.hour <= hour + horizon);
      let realisedInsolvency = 0;
      if (lending) {
        const end = stateAt(snapshots, hour + horizon)!;
        const rise = (await badDebtAt(end)).minus(await badDebtAt(state));
        realisedInsolvency = rise.isPositive() ? Number(rise.toString()) : 0;
      } else {
        for (const l of after) {
          if (l.shortfallUsd === null) leftOut.liquidationsWithUnknownShortfall++;
          else realisedInsolvency += l.shortfallUsd;
        }
      }
      leftOut.unpricedLiquidations += after.filter((l) => !l.priced).length;
      const realisedByAsset: Record<string, number> = {};
      for (const l of after) for (const a of l.assets) realisedByAsset[a] = (realisedByAsset[a] ?? 0) + l.sizeUsd;
      const moves: Record<string, number> = {};
      for (const asset of volatile) {
        const p0 = priceAt(prices, asset, hour, fromHour);
        const p1 = priceAt(prices, asset, hour + horizon, fromHour);
        if (p0 === null || p1 === null || !(p0 > 0)) continue;
        const move = p1 / p0 - 1;
        if (Math.abs(move) >= minMove) moves[asset] = move;
      }
      steps.push({
        time: hour * HOUR,
        portfolio: portfolioToWire(built.portfolio),
        volatility: estimate.volatility,
        correlation: estimate.correlation ?? null,
        realisedLiquidationsUsd: after.reduce((sum, l) => sum + l.sizeUsd, 0),
        realisedInsolvencyUsd: realisedInsolvency,
        moves,
        realisedByAsset,
      });
      used.push({ hour, blockNumber: state.blockNumber });
      reads.push({ source, pin });
    }
    if (steps.length < 2) {
      throw new RiskError(
        'RISK_TOO_LITTLE_HISTORY',
        `a risk backtest needs at least 2 origins with a state and ${window} hours of prices before them; of ${origins.length} origins, ${leftOut.originsWithoutSnapshot.length} have no snapshot and ${leftOut.originsWithTooLittlePriceHistory.length} too little price history: widen from/to or shorten windowHours`,
      );
    }
    const result = await compute(ctx, 'riskBacktest', { steps, options: { horizonDays: horizon / 24, horizonHours: horizon, paths, seed, confidence } });
    const blockOf = new Map(used.map((u) => [u.hour * HOUR, u.blockNumber]));
    const withBlocks = <P extends { timestamp: number }>(points: P[]) => points.map((p) => ({ ...p, blockNumber: blockOf.get(p.timestamp)! }));
    const moved = new Set(result.curve.points.map((p) => p.timestamp));
    const parameters = {
      protocol,
      network,
      windowHours: window,
      horizonHours: horizon,
      confidence,
      paths,
      seed,
      observations,
      minMove,
      origins: used,
      leftOut: { ...leftOut, notes: undefined },
    };
    return {
      protocol,
      network,
      from: steps[0]!.time,
      to: steps[steps.length - 1]!.time,
      windowHours: window,
      horizonHours: horizon,
      confidence,
      paths: result.paths,
      seed: result.seed,
      observations: steps.length,
      liquidations: { ...result.liquidations, realised: lending ? 'debt covered by liquidations (Liquidation.sizeUSD) in the horizon' : 'liquidated size (Liquidation.sizeUSD) in the horizon', points: withBlocks(result.liquidations.points) },
      insolvency: {
        ...result.insolvency,
        realised: lending ? 'rise of booked bad debt (Protocol.realisedBadDebtUSD) over the horizon' : "liquidations' shortfall beyond collateral (Liquidation.shortfallUSD) in the horizon",
        points: withBlocks(result.insolvency.points),
      },
      curve: { ...result.curve, minMove, originsWithoutMove: steps.map((s) => s.time).filter((t) => !moved.has(t)) },
      leftOut,
      provenance: provenanceOf('riskBacktest', parameters, reads),
    };
  } catch (e) {
    if (e instanceof SourceError) throw sourceGraphQLError(e);
    if (e instanceof RiskError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', riskCode: e.code } });
    throw e;
  }
}

