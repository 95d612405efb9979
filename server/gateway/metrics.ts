/**
 * Prometheus metrics at /metrics (prom-client). Request durations are
 * observed once per request; upstream and cache figures are plain counters
 * kept by server/sources, read only when Prometheus scrapes.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { httpStats, type ResponseCache } from '../sources';
import type { WorkerPool } from '../workers/pool';
import type { GatewayContext } from './context';
import type { WholeResponses } from './whole-responses';

export interface GatewayMetrics {
  registry: Registry;
  plugin: ApolloServerPlugin<GatewayContext>;
}

export function createMetrics(
  cache: () => ResponseCache | null,
  pools: Record<string, WorkerPool> = {},
  answers?: WholeResponses,
  /** The live side: open subscription connections and subscriptions now, live snapshots computed since start. */
  live?: () => Record<'connections' | 'subscriptions' | 'snapshots', number> | null,
): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'svr_' });
  const duration = new Histogram({
    name: 'svr_gateway_request_duration_seconds',
    help: 'Gateway GraphQL requests, by outcome (ok, or errors in the answer)',
    labelNames: ['outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  const missing = new Counter({
    name: 'svr_gateway_missing_sources_total',
    help: 'Sources an answer went on without, by source and error code',
    labelNames: ['source', 'code'],
    registers: [registry],
  });
  new Gauge({
    name: 'svr_upstream_requests',
    help: 'GraphQL requests sent to sources since start (attempts include retries)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      this.set({ kind: 'requests' }, httpStats.requests);
      this.set({ kind: 'attempts' }, httpStats.attempts);
    },
  });
  new Gauge({
    name: 'svr_upstream_failures',
    help: 'Source requests that failed after their retries since start, by error code',
    labelNames: ['code'],
    registers: [registry],
    collect() {
      for (const [code, n] of Object.entries(httpStats.failures)) this.set({ code }, n);
    },
  });
  new Gauge({
    name: 'svr_cache_events',
    help: 'Response cache lookups since start, by result',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const stats = cache()?.stats;
      if (!stats) return;
      this.set({ result: 'hit' }, stats.hits);
      this.set({ result: 'stale_hit' }, stats.staleHits);
      this.set({ result: 'miss' }, stats.misses);
      this.set({ result: 'load' }, stats.loads);
      this.set({ result: 'error' }, stats.errors);
    },
  });
  new Gauge({
    name: 'svr_gateway_answers',
    help: 'Gateway answers since start, by where they came from: the whole-answer cache (hit), computed and kept (stored), computed and not kept (not_stored: errors, complete: false), or not looked up (bypass)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      if (!answers) return;
      for (const [result, n] of Object.entries(answers.stats)) this.set({ result: result.replace('-', '_') }, n);
    },
  });
  new Gauge({
    name: 'svr_worker_pool',
    help: 'Worker pools (readers: subgraph queries; risk: the risk computations): calls running and queued now; since start, calls completed and failed, refused busy, workers started and terminated (deadline or abort)',
    labelNames: ['pool', 'kind'],
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, kind: 'running' }, pool.running);
        this.set({ pool: name, kind: 'queued' }, pool.queued);
        this.set({ pool: name, kind: 'completed' }, pool.stats.completed);
        this.set({ pool: name, kind: 'failed' }, pool.stats.failed);
        this.set({ pool: name, kind: 'refused_busy' }, pool.stats.refusedBusy);
        this.set({ pool: name, kind: 'workers_started' }, pool.stats.workersStarted);
        this.set({ pool: name, kind: 'workers_terminated' }, pool.stats.workersTerminated);
      }
    },
  });
  new Gauge({
    name: 'svr_live',
    help: 'Subscriptions: WebSocket connections and subscriptions open now, and live snapshots computed since start (one per head per deployment or watched aggregate, however many subscribe)',
    labelNames: ['kind'],
    registers: [registry],
    collect() {
      const now = live?.();
      if (!now) return;
      for (const [kind, n] of Object.entries(now)) this.set({ kind }, n);
    },
  });
  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const end = duration.startTimer();
      return {
        async willSendResponse({ response, contextValue }) {
          const failed = response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0;
          end({ outcome: failed ? 'errors' : 'ok' });
          for (const e of contextValue.sourceErrors) missing.inc({ source: e.source, code: e.code });
        },
      };
    },
  };
  return { registry, plugin };
}
