/**
 * The risk engine's answers through the gateway: liquidation curves, stress
 * tests, Monte Carlo VaR/LaR, contagion, forecasts, and the distance to
 * insolvency of any ratio snapshot. Here: the reads (the portfolio from the
 * indexed positions, risk-portfolio.ts; history) and the checks of the
 * user's arguments. The computation runs in the risk worker pool
 * (risk-tasks.ts), under the request's deadline and hang-up signal.
 */
import { GraphQLError } from 'graphql';
import { Decimal } from '../numeric/decimal';
import { RiskError, assetOfSymbol, portfolioToWire, type ContagionShock, type Portfolio } from '../risk';
import { sourceKey, type BlockPin } from '../sources';
import { WorkerPoolError } from '../workers/pool';
import type { GatewayContext } from './context';
import type { Resolvers, RiskCoverage } from './generated/resolvers-types';
import { provenanceOf } from './provenance';
import { checkNames, history, userError } from './resolvers';
import { estimateVolatility } from './risk-history';
import { buildPortfolio, type BuiltPortfolio } from './risk-portfolio';
import type { SourceRead } from './parents';
import type * as tasks from './risk-tasks';
import type { RiskTask } from './risk-tasks';

export function coverage(built: BuiltPortfolio, venues: string[]): RiskCoverage {
  return { venues, missingSources: built.missingSources, complete: built.missingSources.length === 0, unpricedPositions: built.unpricedPositions };
}

async function portfolioFor(ctx: GatewayContext, protocols?: readonly string[] | null, networks?: readonly string[] | null) {
  checkNames(ctx.sources, protocols, networks);
  const sources = ctx.sources.registry.select(protocols, networks);
  const built = await buildPortfolio(ctx, sources);
  const venues = sources.map(sourceKey).filter((k) => !built.missingSources.includes(k));
  return { built, cover: coverage(built, venues) };
}

/**
 * Runs a risk task in the pool. The engine's input errors are the user's
 * (BAD_USER_INPUT, with the engine's code); work cut by the deadline or a
 * client that went away, and a full pool, say so with their own codes.
 */
export async function compute<T extends RiskTask>(ctx: GatewayContext, task: T, input: Parameters<(typeof tasks)[T]>[0]): Promise<ReturnType<(typeof tasks)[T]>> {
  try {
    return await ctx.risk.run<ReturnType<(typeof tasks)[T]>>(task, input, { signal: ctx.signal });
  } catch (e) {
    if (!(e instanceof WorkerPoolError)) throw e;
    if (e.code === 'TASK_FAILED' && e.taskCode?.startsWith('RISK_')) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', riskCode: e.taskCode } });
    if (e.code === 'DEADLINE' || e.code === 'CANCELLED') {
      throw new GraphQLError(`${task} was stopped before it finished (${e.message}); nothing of it is in the answer: ask for less work (fewer paths, deployments or points)`, {
        extensions: { code: e.code === 'DEADLINE' ? 'DEADLINE_EXCEEDED' : 'CANCELLED', cut: task },
      });
    }
    if (e.code === 'WORKER_FAILED') throw new GraphQLError(`${task} stopped its worker (${e.message}); nothing of it is in the answer: ask for less work`, { extensions: { code: 'WORKER_FAILED', cut: task } });
    if (e.code === 'BUSY') throw new GraphQLError(`${task}: every risk worker is busy and the queue is full; try again shortly`, { extensions: { code: 'BUSY', http: { status: 503 } } });
    throw e;
  }
}

function assetName(asset: string): string {
  return assetOfSymbol(asset);
}

function requireAssets(portfolio: Portfolio, assets: readonly string[], what: string): void {
  for (const a of assets) {
    if (!(a in portfolio.assets)) throw userError(`${what}: no priced asset "${a}" in the portfolio; it has ${Object.keys(portfolio.assets).sort().join(', ')}`);
  }
}

/** A stress test's scenario as the engine ran it, defaults filled in: what its provenance records and its replay reruns. */
export interface StressParameters {
  moves: Record<string, number>;
  marketWide: number | null;
  cascade: boolean;
  /** Market depth per asset, USD as exact text. */
  depthsUSD: Record<string, string>;
}

export async function stressAnswer(ctx: GatewayContext, built: BuiltPortfolio, cover: RiskCoverage, scenario: StressParameters) {
  requireAssets(built.portfolio, Object.keys(scenario.moves), 'moves');
  requireAssets(built.portfolio, Object.keys(scenario.depthsUSD), 'depths');
  const assets = { ...built.portfolio.assets };
  for (const [name, depth] of Object.entries(scenario.depthsUSD)) assets[name] = { ...assets[name]!, depthUsd: Decimal.parse(depth) };
  const portfolio: Portfolio = { ...built.portfolio, assets };
  const result = await compute(ctx, 'stressTest', {
    portfolio: portfolioToWire(portfolio),
    scenario: { moves: scenario.moves, marketWide: scenario.marketWide ?? undefined, cascade: scenario.cascade },
  });
  return { ...result, coverage: cover, provenance: provenanceOf('stressTest', { scenario, missingSources: built.missingSources }, built.reads) };
}

/** A simulation's inputs as it ran, the volatilities and correlations it used whether given or estimated. */
export interface ValueAtRiskParameters {
  volatility: Record<string, number>;
  correlation: { assets: string[]; matrix: number[][] } | null;
  horizonDays: number;
  paths: number;
  seed: number;
  /** The hours of history the volatilities were estimated from; null when they were given. */
  historyHours: number | null;
  volatilitySource: string;
}

export async function valueAtRiskAnswer(ctx: GatewayContext, built: BuiltPortfolio, cover: RiskCoverage, used: ValueAtRiskParameters) {
  // In asset order: a record keeps its keys sorted, so the first answer and its replay feed the engine alike.
  const volatility = Object.fromEntries(Object.entries(used.volatility).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const options = { volatility, correlation: used.correlation ?? undefined, horizonDays: used.horizonDays, paths: used.paths, seed: used.seed };
  const result = await compute(ctx, 'valueAtRisk', { portfolio: portfolioToWire(built.portfolio), options });
  return {
    ...result,
    volatilities: Object.entries(volatility).map(([asset, v]) => ({ asset, volatility: v })),
    volatilitySource: used.volatilitySource,
    coverage: cover,
    provenance: provenanceOf('valueAtRisk', { ...used, missingSources: built.missingSources }, built.reads),
  };
}

/** A liquidation curve's arguments, defaults filled in: what its provenance records and its replay reruns. */
export interface LiquidationCurveParameters {
  from: number;
  to: number;
  step: number;
  asset: string | null;
}

export async function liquidationCurveAnswer(ctx: GatewayContext, built: BuiltPortfolio, cover: RiskCoverage, used: LiquidationCurveParameters) {
  const options = { from: used.from, to: used.to, step: used.step };
  const curves = await compute(ctx, 'liquidationCurve', { portfolio: portfolioToWire(built.portfolio), options, asset: used.asset });
  return { curves, coverage: cover, provenance: provenanceOf('liquidationCurve', { ...options, asset: used.asset, missingSources: built.missingSources }, built.reads) };
}

/** A contagion's shock and channels; sharedAccountWithdrawal null: the engine's default (the record keeps the value it used). */
export interface ContagionParameters {
  shock: ContagionShock;
  depthsUSD: Record<string, string>;
  sharedAccountWithdrawal: number | null;
}

export async function contagionAnswer(ctx: GatewayContext, built: BuiltPortfolio, cover: RiskCoverage, used: ContagionParameters) {
  const result = await compute(ctx, 'contagion', {
    portfolio: portfolioToWire(built.portfolio),
    shock: used.shock,
    depthUsd: used.depthsUSD,
    sharedAccountWithdrawal: used.sharedAccountWithdrawal ?? undefined,
  });
  const recorded = { shock: used.shock, depthsUSD: used.depthsUSD, sharedAccountWithdrawal: result.sharedAccountWithdrawal, missingSources: built.missingSources };
  return { ...result, coverage: cover, provenance: provenanceOf('contagion', recorded, built.reads) };
}

/**
 * The distance to insolvency of a snapshot read at `reads` (in the registry's order, as the snapshot read them);
 * `only`: the venue it is of ("protocol/network"), or "*" for every venue read.
 */
export async function distanceAnswer(ctx: GatewayContext, reads: readonly SourceRead[], only: string) {
  const pins = new Map<string, BlockPin>(reads.map((r) => [sourceKey(r.source), r.pin]));
  const built = await buildPortfolio(
    ctx,
    reads.map((r) => r.source),
    pins,
  );
  const venues = reads.map((r) => sourceKey(r.source));
  const result = await compute(ctx, 'distanceToInsolvency', { portfolio: portfolioToWire(built.portfolio), only });
  const { marketWide: _m, firstBadDebt: _f, perAsset: _p, ...options } = result;
  return { ...result, coverage: coverage(built, venues), provenance: provenanceOf('distanceToInsolvency', { only, options, missingSources: built.missingSources }, built.reads) };
}

/** A forecast's arguments, defaults filled in. */
export interface ForecastParameters {
  protocol: string;
  network: string | null;
  interval: 'HOUR' | 'DAY';
  horizonDays: number;
  threshold: number;
}

/** The forecast from the history read at each source's head, or at `at` (a replay). */
export async function forecastAnswer(ctx: GatewayContext, used: ForecastParameters, at?: readonly SourceRead[]) {
  const { points, reads } = await history(ctx, used.protocol, used.network, used.interval, null, null, at);
  const observations = points.filter((p) => p.ratio !== null && Number(p.ratio) > 0).map((p) => ({ time: p.timestamp, ratio: Number(p.ratio) }));
  const result = await compute(ctx, 'forecast', { observations, options: { horizonDays: used.horizonDays, threshold: used.threshold } });
  const parameters = { ...used, horizonDays: result.horizonDays, threshold: result.threshold, bandLevel: result.bandLevel, from: observations[0]?.time ?? null, to: result.lastTimestamp };
  return { ...result, provenance: provenanceOf('forecast', parameters, reads) };
}

export const riskResolvers: Resolvers = {
  RatioSnapshot: {
    distanceToInsolvency: (snapshot, _, ctx) => distanceAnswer(ctx, snapshot.reads, snapshot.network ? `${snapshot.protocol}/${snapshot.network}` : '*'),
  },
  Query: {
    liquidationCurve: async (_, { protocols, networks, asset, from, to, step }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      return liquidationCurveAnswer(ctx, built, cover, { from: from ?? -0.5, to: to ?? 0.5, step: step ?? 0.05, asset: asset ? assetName(asset) : null });
    },
    stressTest: async (_, { scenario, protocols, networks }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      const scenarioUsed: StressParameters = {
        moves: Object.fromEntries((scenario.moves ?? []).map((m) => [assetName(m.asset), m.move])),
        marketWide: scenario.marketWide ?? null,
        cascade: scenario.cascade ?? true,
        depthsUSD: Object.fromEntries((scenario.depths ?? []).map((d) => [assetName(d.asset), Decimal.parse(d.depthUSD).toString()])),
      };
      return stressAnswer(ctx, built, cover, scenarioUsed);
    },
    valueAtRisk: async (_, { volatilities, historyHours, correlation, horizonDays, paths, seed, protocols, networks }, ctx) => {
      if ((paths ?? 10_000) < 100 || (paths ?? 10_000) > 100_000) throw userError('`paths` must be between 100 and 100000');
      if ((historyHours ?? 72) < 12 || (historyHours ?? 72) > 24 * 90) throw userError('`historyHours` must be between 12 and 2160');
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      let volatility: Record<string, number>;
      let corr: { assets: string[]; matrix: number[][] } | undefined;
      let volatilitySource: string;
      if (volatilities) {
        volatility = Object.fromEntries(volatilities.map((v) => [assetName(v.asset), v.volatility]));
        requireAssets(built.portfolio, Object.keys(volatility), 'volatilities');
        corr = correlation ? { assets: correlation.assets.map(assetName), matrix: correlation.matrix } : undefined;
        volatilitySource = correlation ? 'given, with correlations' : 'given; assets independent';
      } else {
        if (correlation) throw userError('`correlation` goes with `volatilities`; without them both are estimated from history');
        const volatile = Object.entries(built.portfolio.assets).filter(([, a]) => !a.stable).map(([name]) => name);
        const sources = ctx.sources.registry.select(protocols, networks).filter((s) => cover.venues.includes(sourceKey(s)));
        let estimate: Awaited<ReturnType<typeof estimateVolatility>>;
        try {
          estimate = await estimateVolatility(ctx, sources, historyHours ?? 72, volatile);
        } catch (e) {
          if (e instanceof RiskError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', riskCode: e.code } });
          throw e;
        }
        volatility = estimate.volatility;
        corr = estimate.correlation;
        volatilitySource = estimate.description;
      }
      const used: ValueAtRiskParameters = {
        volatility,
        correlation: corr ?? null,
        horizonDays: horizonDays ?? 1,
        paths: paths ?? 10_000,
        seed: seed ?? 1,
        historyHours: volatilities ? null : (historyHours ?? 72),
        volatilitySource,
      };
      return valueAtRiskAnswer(ctx, built, cover, used);
    },
    contagion: async (_, { shock, parameters, protocols, networks }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      const depthUsd: Record<string, string> = {};
      for (const d of parameters?.depths ?? []) depthUsd[assetName(d.asset)] = Decimal.parse(d.depthUSD).toString();
      requireAssets(built.portfolio, Object.keys(depthUsd), 'depths');
      let engineShock: ContagionShock;
      if (shock.asset && shock.move !== null && shock.move !== undefined && !shock.protocol) {
        const asset = assetName(shock.asset);
        requireAssets(built.portfolio, [asset], 'shock');
        engineShock = { kind: 'asset', asset, move: shock.move };
      } else if (shock.protocol && shock.network && shock.lossFraction !== null && shock.lossFraction !== undefined && !shock.asset) {
        engineShock = { kind: 'venue', venue: { protocol: shock.protocol, network: shock.network }, lossFraction: shock.lossFraction };
      } else throw userError('a shock is either { asset, move } or { protocol, network, lossFraction }');
      return contagionAnswer(ctx, built, cover, { shock: engineShock, depthsUSD: depthUsd, sharedAccountWithdrawal: parameters?.sharedAccountWithdrawal ?? null });
    },
    forecast: (_, { protocol, network, interval, horizonDays, threshold }, ctx) =>
      forecastAnswer(ctx, { protocol, network: network ?? null, interval: interval ?? 'HOUR', horizonDays: horizonDays ?? 7, threshold: threshold ?? 1 }),
  },
};
