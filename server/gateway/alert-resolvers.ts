/** The alert queries and mutations (alert-service.ts has the engine; docs/alerts.md). */
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';
import { eventView, ruleView, type AlertService } from './alert-service';
import type { Resolvers } from './generated/resolvers-types';
import { userError } from './resolvers';

const MAX_EVENTS = 1_000;

/** The alert service; its answers are of now, not of any block, so no answer cache keeps them. */
function alerts(ctx: GatewayContext): AlertService {
  if (!ctx.alerts) throw new GraphQLError('this gateway runs no alerts', { extensions: { code: 'ALERTS_UNAVAILABLE' } });
  ctx.sources.readsBeyondBlocks();
  return ctx.alerts;
}

function authorized(ctx: GatewayContext): AlertService {
  const service = alerts(ctx);
  service.authorize(ctx.authorization);
  return service;
}

export const alertResolvers: Resolvers = {
  Query: {
    alertRules: (_, __, ctx) => alerts(ctx).list().map(ruleView),
    alertEvents: (_, { first, state, since }, ctx) => {
      const n = first ?? 100;
      if (n < 0 || n > MAX_EVENTS) throw userError(`first must be from 0 to ${MAX_EVENTS}`);
      return alerts(ctx).store.events({ first: n, state: state ?? null, since: since ?? null }).map(eventView);
    },
    firingAlerts: (_, __, ctx) => alerts(ctx).store.firing().map(eventView),
  },
  Mutation: {
    createAlertRule: (_, { input }, ctx) => ruleView(authorized(ctx).createRule(input as Record<string, unknown>)),
    deleteAlertRule: (_, { id }, ctx) => authorized(ctx).deleteRule(id),
    acknowledgeAlert: (_, { id }, ctx) => authorized(ctx).acknowledge(id),
  },
};
