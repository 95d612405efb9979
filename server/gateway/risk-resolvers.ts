/**
 * The risk engine's answers through the gateway: liquidation curves, stress
 * tests, Monte Carlo VaR/LaR, contagion, forecasts, and the distance to
 * insolvency of any ratio snapshot. The portfolio comes from the indexed
 * positions (risk-portfolio.ts); the arithmetic is server/risk's.
 */
import { GraphQLError } from 'graphql';
import {
  RiskError,
  assetOfSymbol,
  contagion,
  distanceToInsolvency,
  forecastRatio,
  liquidationCurves,
  monteCarloRisk,
  stressTest,
  type DirectionalDistance,
  type Portfolio,
  type StressTotal,
  type VenueRisk as EngineVenueRisk,
  type VenueStress as EngineVenueStress,
} from '../risk';
import { sourceKey, type BlockPin } from '../sources';
import type { GatewayContext } from './context';
import { Decimal } from '../numeric/decimal';
import type { Resolvers, RiskCoverage, VenueRisk, VenueStress } from './generated/resolvers-types';
import { checkNames, history, userError } from './resolvers';
import { estimateVolatility } from './risk-history';
import { buildPortfolio, type BuiltPortfolio } from './risk-portfolio';

function coverage(built: BuiltPortfolio, venues: string[]): RiskCoverage {
  return { venues, missingSources: built.missingSources, complete: built.missingSources.length === 0, unpricedPositions: built.unpricedPositions };
}

async function portfolioFor(ctx: GatewayContext, protocols?: readonly string[] | null, networks?: readonly string[] | null) {
  checkNames(ctx.sources, protocols, networks);
  const sources = ctx.sources.registry.select(protocols, networks);
  const built = await buildPortfolio(ctx, sources);
  const venues = sources.map(sourceKey).filter((k) => !built.missingSources.includes(k));
  return { built, cover: coverage(built, venues) };
}

/** Risk-engine input errors are the user's: say so with their message. */
function engine<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (e instanceof RiskError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', riskCode: e.code } });
    throw e;
  }
}

async function engineAsync<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (e instanceof RiskError) throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', riskCode: e.code } });
    throw e;
  }
}

const usdText = (amount: Decimal) => amount.toString();

function distance(d: DirectionalDistance) {
  return { down: d.down.move, downReason: d.down.reason, up: d.up.move, upReason: d.up.reason };
}

function venueStress(protocol: string, network: string, v: StressTotal & Partial<Pick<EngineVenueStress, 'model' | 'tradersPnlUsd'>>): VenueStress {
  return {
    protocol,
    network,
    collateralModel: v.model ?? null,
    ratioBefore: v.before.ratio?.toString() ?? null,
    ratioAfter: v.after.ratio?.toString() ?? null,
    collateralBeforeUSD: usdText(v.before.backingUsd),
    collateralAfterUSD: usdText(v.after.backingUsd),
    obligationsBeforeUSD: usdText(v.before.obligationsUsd),
    obligationsAfterUSD: usdText(v.after.obligationsUsd),
    bufferBeforeUSD: usdText(v.before.bufferUsd),
    bufferAfterUSD: usdText(v.after.bufferUsd),
    liquidatedPositions: v.liquidatedPositions,
    liquidatedObligationsUSD: usdText(v.liquidatedObligationsUsd),
    liquidatedCollateralUSD: usdText(v.liquidatedCollateralUsd),
    shortfallUSD: usdText(v.shortfallUsd),
    pendingPositions: v.pendingPositions,
    tradersPnlUSD: v.tradersPnlUsd ? usdText(v.tradersPnlUsd) : null,
  };
}

function venueRisk(protocol: string, network: string, r: EngineVenueRisk): VenueRisk {
  return {
    protocol,
    network,
    expectedInsolvencyUSD: r.expectedInsolvencyUsd,
    var95: r.var95,
    var99: r.var99,
    expectedShortfall99USD: r.expectedShortfall99Usd,
    expectedLiquidationsUSD: r.expectedLiquidationsUsd,
    lar95: r.lar95,
    lar99: r.lar99,
  };
}

function assetName(asset: string): string {
  return assetOfSymbol(asset);
}

function requireAssets(portfolio: Portfolio, assets: readonly string[], what: string): void {
  for (const a of assets) {
    if (!(a in portfolio.assets)) throw userError(`${what}: no priced asset "${a}" in the portfolio; it has ${Object.keys(portfolio.assets).sort().join(', ')}`);
  }
}

export const riskResolvers: Resolvers = {
  RatioSnapshot: {
    distanceToInsolvency: async (snapshot, _, ctx) => {
      const pins = new Map<string, BlockPin>(snapshot.reads.map((r) => [sourceKey(r.source), r.pin]));
      const built = await buildPortfolio(
        ctx,
        snapshot.reads.map((r) => r.source),
        pins,
      );
      const venues = snapshot.reads.map((r) => sourceKey(r.source));
      const key = snapshot.network ? `${snapshot.protocol}/${snapshot.network}` : '*';
      const result = engine(() => distanceToInsolvency(built.portfolio, { only: key }));
      const report = key === '*' ? result.total! : result.venues[0]!;
      return {
        marketWide: distance(report.marketWide.insolvency),
        firstBadDebt: distance(report.marketWide.firstBadDebt),
        perAsset: Object.entries(report.perAsset).map(([asset, d]) => ({ asset, distance: distance(d.insolvency), firstBadDebt: distance(d.firstBadDebt) })),
        ...result.options,
        coverage: coverage(built, venues),
      };
    },
  },
  Query: {
    liquidationCurve: async (_, { protocols, networks, asset, from, to, step }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      const wanted = asset ? assetName(asset) : null;
      const curves = engine(() => liquidationCurves(built.portfolio, { from: from ?? -0.5, to: to ?? 0.5, step: step ?? 0.05 }));
      return {
        curves: curves
          .filter((c) => !wanted || c.asset === wanted)
          .map((c) => ({
            protocol: c.venue.protocol,
            network: c.venue.network,
            asset: c.asset,
            points: c.points.map((p) => ({ move: p.move, positions: p.positions, collateralUSD: usdText(p.collateralUsd), sizeUSD: usdText(p.sizeUsd) })),
          })),
        coverage: cover,
      };
    },
    stressTest: async (_, { scenario, protocols, networks }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      const moves = Object.fromEntries((scenario.moves ?? []).map((m) => [assetName(m.asset), m.move]));
      requireAssets(built.portfolio, Object.keys(moves), 'moves');
      const depths = scenario.depths ?? [];
      requireAssets(built.portfolio, depths.map((d) => assetName(d.asset)), 'depths');
      const assets = { ...built.portfolio.assets };
      for (const d of depths) {
        const name = assetName(d.asset);
        assets[name] = { ...assets[name]!, depthUsd: Decimal.parse(d.depthUSD) };
      }
      const portfolio: Portfolio = { ...built.portfolio, assets };
      const result = engine(() => stressTest(portfolio, { moves, marketWide: scenario.marketWide ?? undefined, cascade: scenario.cascade ?? true }));
      return {
        venues: result.venues.map((v) => venueStress(v.venue.protocol, v.venue.network, v)),
        total: venueStress('*', '*', result.total),
        rounds: result.rounds,
        finalMoves: Object.entries(result.finalMoves).map(([asset, move]) => ({ asset, move })),
        coverage: cover,
      };
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
        const estimate = await engineAsync(() => estimateVolatility(ctx, sources, historyHours ?? 72, volatile));
        volatility = estimate.volatility;
        corr = estimate.correlation;
        volatilitySource = estimate.description;
      }
      const result = engine(() => monteCarloRisk(built.portfolio, { volatility, correlation: corr, horizonDays: horizonDays ?? 1, paths: paths ?? 10_000, seed: seed ?? 1 }));
      return {
        paths: result.paths,
        horizonDays: result.horizonDays,
        seed: result.seed,
        volatilities: Object.entries(volatility).map(([asset, v]) => ({ asset, volatility: v })),
        volatilitySource,
        venues: result.venues.map((v) => venueRisk(v.venue.protocol, v.venue.network, v)),
        total: venueRisk('*', '*', result.total),
        coverage: cover,
      };
    },
    contagion: async (_, { shock, parameters, protocols, networks }, ctx) => {
      const { built, cover } = await portfolioFor(ctx, protocols, networks);
      const depthUsd: Record<string, Decimal> = {};
      for (const d of parameters?.depths ?? []) depthUsd[assetName(d.asset)] = Decimal.parse(d.depthUSD);
      requireAssets(built.portfolio, Object.keys(depthUsd), 'depths');
      let engineShock: Parameters<typeof contagion>[1];
      if (shock.asset && shock.move !== null && shock.move !== undefined && !shock.protocol) {
        const asset = assetName(shock.asset);
        requireAssets(built.portfolio, [asset], 'shock');
        engineShock = { kind: 'asset', asset, move: shock.move };
      } else if (shock.protocol && shock.network && shock.lossFraction !== null && shock.lossFraction !== undefined && !shock.asset) {
        engineShock = { kind: 'venue', venue: { protocol: shock.protocol, network: shock.network }, lossFraction: shock.lossFraction };
      } else throw userError('a shock is either { asset, move } or { protocol, network, lossFraction }');
      const result = engine(() =>
        contagion(built.portfolio, engineShock, { impact: { depthUsd }, sharedAccountWithdrawal: parameters?.sharedAccountWithdrawal ?? undefined }),
      );
      return {
        nodes: result.nodes.map((n) => ({
          protocol: n.venue.protocol,
          network: n.venue.network,
          equityUSD: usdText(n.equityUsd),
          initialDistress: n.initialDistress,
          distress: n.distress,
          lossUSD: usdText(n.lossUsd),
        })),
        exposures: result.exposures.map((e) => ({
          exposed: e.exposed,
          source: e.source,
          channel: e.channel,
          asset: e.asset ?? null,
          accounts: e.accounts ?? null,
          amountUSD: usdText(e.amountUsd),
          lossAtFullDistressUSD: usdText(e.lossAtFullDistressUsd),
        })),
        channels: result.channels,
        sharedAccountWithdrawal: result.parameters.sharedAccountWithdrawal,
        totalImpact: result.totalImpact,
        debtRank: result.debtRank,
        iterations: result.iterations,
        coverage: cover,
      };
    },
    forecast: async (_, { protocol, network, interval, horizonDays, threshold }, ctx) => {
      const series = await history(ctx, protocol, network, interval ?? 'HOUR', null, null);
      const observations = series.filter((p) => p.ratio !== null && Number(p.ratio) > 0).map((p) => ({ time: p.timestamp, ratio: Number(p.ratio) }));
      const f = engine(() => forecastRatio(observations, { horizonDays: horizonDays ?? 7, threshold: threshold ?? 1 }));
      return {
        lastRatio: f.lastRatio,
        lastTimestamp: f.lastTime,
        trendPerDay: f.trendPerDay,
        volatilityPerSqrtDay: f.volatilityPerSqrtDay,
        path: f.path.map((p) => ({ timestamp: p.time, median: p.median, low: p.low, high: p.high })),
        daysToThreshold: f.daysToThreshold,
        probabilityOfThresholdWithinHorizon: f.probabilityOfThresholdWithinHorizon,
        leadingIndicator: f.leadingIndicator,
        reasons: f.reasons,
      };
    },
  },
};
