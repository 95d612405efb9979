/**
 * The backtest query: the forecast model (server/risk/forecast.ts) checked
 * against the deployment's own indexed hourly history
 * (server/risk/backtest.ts's backtestForecast, run in the risk pool).
 */
import { SourceError } from '../sources';
import { BACKTEST_DEFAULT_HOURS, BACKTEST_DEFAULT_WINDOW_HOURS, COST_CAPS } from './cost';
import type { Resolvers } from './generated/resolvers-types';
import { provenanceOf } from './provenance';
import { history, sourceGraphQLError, sourceOf, userError } from './resolvers';
import { compute } from './risk-resolvers';

const HOUR = 3600;

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
  },
};
