/**
 * The Subscription fields: each subscriber gets its own bounded channel
 * (event-channel.ts) fed by the shared live figures (live.ts) or the alert
 * engine, filtered by its arguments. Every event is resolved with fresh
 * request sources, so fields computed from the snapshot (distanceToInsolvency,
 * provenance) read at its blocks and no request's cache grows for ever.
 */
import { GraphQLError } from 'graphql';
import type { GatewayContext } from './context';
import { EventChannel } from './event-channel';
import type { Resolvers } from './generated/resolvers-types';
import { checkNames } from './resolvers';

function channel<T>(ctx: GatewayContext, subscribe: (push: (v: T) => void) => () => void): AsyncIterableIterator<T> {
  const sub = ctx.subscriber;
  if (!sub) throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) at /graphql', { extensions: { code: 'BAD_REQUEST' } });
  let stop = () => {};
  const c = new EventChannel<T>(
    sub.maxQueuedEvents,
    () => sub.drop(`the subscriber fell more than ${sub.maxQueuedEvents} events behind`),
    () => (stop(), sub.release()),
  );
  stop = subscribe((v) => c.push(v));
  if (c.isClosed) stop();
  return c;
}

function live(ctx: GatewayContext) {
  if (!ctx.live) throw new GraphQLError('this gateway serves no live figures', { extensions: { code: 'LIVE_UNAVAILABLE' } });
  return ctx.live;
}

/** A fresh read context for each event (see the header). */
function fresh(ctx: GatewayContext): void {
  if (ctx.live) ctx.sources = ctx.live.sources().forRequest(ctx.signal);
  ctx.sourceErrors = [];
}

export const liveResolvers: Resolvers = {
  Subscription: {
    ratioUpdated: {
      subscribe: (_, { protocols, networks }, ctx) => {
        checkNames(ctx.sources, protocols, networks);
        return channel(ctx, (push) => live(ctx).onRatio({ protocols: protocols ?? null, networks: networks ?? null }, push)) as never;
      },
      resolve: (update: unknown, _: unknown, ctx: GatewayContext) => (fresh(ctx), update as never),
    },
    aggregateUpdated: {
      subscribe: (_, { protocols, networks }, ctx) => {
        checkNames(ctx.sources, protocols, networks);
        return channel(ctx, (push) => live(ctx).onAggregate({ protocols: protocols ?? null, networks: networks ?? null }, push)) as never;
      },
      resolve: (update: unknown, _: unknown, ctx: GatewayContext) => (fresh(ctx), update as never),
    },
    alertEvents: {
      subscribe: (_, { ruleIds }, ctx) => {
        const alerts = ctx.alerts;
        if (!alerts) throw new GraphQLError('this gateway runs no alerts', { extensions: { code: 'ALERTS_UNAVAILABLE' } });
        return channel(ctx, (push) => alerts.onEvent((e) => (!ruleIds || ruleIds.includes(e.rule.id) ? push(e) : undefined))) as never;
      },
      resolve: (event: unknown) => event as never,
    },
  },
};
