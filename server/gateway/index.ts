/**
 * The gateway: ratio, buffer, history and exposure queries across protocols
 * and chains, over the subgraph sources. `startServer` runs it with the
 * embedded deployments of a data directory on one port.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { PollingHeadFeed, ResponseCache, SourceRegistry, Sources, type HeadFeed } from '../sources';
import { join } from 'node:path';
import { AlertService } from './alert-service';
import { ProvenanceStore } from './provenance-store';
import { gatewaySchema } from './apollo';
import { LiveFigures } from './live';
import { attachSubscriptions, type SubscriptionServer } from './ws';
import { DeploymentRegistry, QUERY_TASK_MODULE, subgraphLimitsFromEnv, subgraphRequestHandler } from '../subgraph-api';
import { WorkerPool } from '../workers/pool';
import { PerClientLimit, PerClientRate } from '../http/per-client';
import { createApollo } from './apollo';
import { loadConfig, type GatewayConfig } from './config';
import { createSvrServer } from './http';
import { embeddedSources, type EmbeddedSources } from './embedded-sources';
import { createMetrics } from './metrics';
import { WholeResponses } from './whole-responses';
import type { FollowerStatusSource } from '../indexer/heads';
import { datasetOf, type Dataset } from './dataset';

export { loadConfig, ConfigError, type GatewayConfig } from './config';
export { createApollo, gatewaySchema, federatedTypeDefs, publicTypeDefs } from './apollo';
export { Decimal } from '../numeric/decimal';
export { commonSchemaMismatch, embeddedSources, type EmbeddedSources } from './embedded-sources';
export { datasetOf, syntheticDataset, type Dataset } from './dataset';

/** The risk pool's task module. */
export const RISK_TASK_MODULE = require.resolve('./risk-tasks');

/** A risk worker's heap bound: a runaway computation kills its worker (the request gets an error), not the server. */
const RISK_WORKER_HEAP_MB = 1024;

export interface StartOptions {
  /** Data directory with the embedded stores; its deployments are served and, without configured sources, read. */
  dataDir: string;
  port: number;
  host: string;
  config?: GatewayConfig;
  /** Serve the schema as an Apollo Federation subgraph. */
  federation?: boolean;
  /** Where the gateway logs (sources left out of answers, cache failures); default: JSON lines on stderr at SVR_LOG_LEVEL (info). */
  logger?: Logger;
  /** What the data is (Query.dataset); default: found from the data directory (dataset.ts). */
  dataset?: Dataset;
  /**
   * New heads of the deployments: blocks committed by this process's followers (server/indexer/supervisor.ts),
   * each of which also drops the deployment's cached head so the next answer is read at the new block;
   * default: each source's `_meta` polled every subscriptions.headPollMs.
   */
  heads?: HeadFeed;
  /** The followers' state, for `deployments { lag chainHeadBlock health eventsPerSecond lastError restarts following }`. */
  followers?: FollowerStatusSource;
}

export interface RunningServer {
  server: Server;
  url: string;
  sources: Sources;
  deployments: DeploymentRegistry;
  /** Deployments of the data directory served at /subgraphs but not read by the gateway (their schema is not svr's common one); empty when the config lists the sources. */
  servedOnly: EmbeddedSources['servedOnly'];
  config: GatewayConfig;
  /** The reader pool of the gateway's own reads (at `gatewayReadsUrl`): their subgraph queries run in its workers, off the event loop. */
  readers: WorkerPool;
  /** The public lane: the /subgraphs queries of every other client, in threads of their own below the event loop's priority; null when the subgraph endpoints are not public. */
  publicReaders: WorkerPool | null;
  /** What each client holds of the public lane (workers.publicPerClient each). */
  publicClients: PerClientLimit;
  /** Each client's request rate at every path but /health and /metrics (/graphql, the public /subgraphs, the page) (config `clients`). */
  clientRate: PerClientRate;
  /** The risk pool: the risk queries' computations (risk-tasks.ts) run in its workers. */
  risk: WorkerPool;
  /** The whole-answer cache in front of the resolvers (whole-responses.ts). */
  answers: WholeResponses;
  /** Where the embedded subgraph endpoints are served: `url`, or a loopback-only listener ("subgraphEndpoints": "loopback"). */
  subgraphUrl: string;
  /** Where the gateway reads them: a loopback listener whose queries run in `readers`, apart from the public lane (the same as `subgraphUrl` with "loopback"). */
  gatewayReadsUrl: string;
  /** The head feed the server was started with, if any. */
  heads: HeadFeed | null;
  /** The live figures behind the subscriptions (live.ts). */
  live: LiveFigures;
  /** The subscriptions' WebSocket server (ws.ts). */
  subscriptions: SubscriptionServer;
  /** The alert engine, or null when there is nowhere to keep its state (no data directory and no alerts.stateFile). */
  alerts: AlertService | null;
  /** The provenance records served, for replay by digest; null when there is nowhere to keep them (no data directory and no replay.recordsFile). */
  records: ProvenanceStore | null;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? pino({ name: 'svr', level: process.env.SVR_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const limits = subgraphLimitsFromEnv();
  const deployments = DeploymentRegistry.scan(options.dataDir, {
    onUnavailable: (store) => logger.error({ store: store.path, deployment: `${store.subgraph}/${store.network}` }, `store left out, its endpoint answers why: ${store.reason}`),
  });
  const stores = deployments.list().map((d) => ({ path: d.store.db.name, subgraph: d.subgraph, network: d.network }));
  // The gateway's own reads: its listener is loopback only and known to the gateway alone, so no client's queries wait in this pool.
  const readers = new WorkerPool({ taskModule: QUERY_TASK_MODULE, size: config.workers.readers, maxQueue: config.workers.maxQueue, init: { limits } });
  // The public lane: /subgraphs for everyone else, on threads of its own below the event loop's CPU priority, each client at most
  // workers.publicPerClient queries at once. Served only on the public listener ("subgraphEndpoints": "public").
  const publicReaders =
    config.subgraphEndpoints === 'public'
      ? new WorkerPool({ taskModule: QUERY_TASK_MODULE, size: config.workers.publicReaders, maxQueue: config.workers.maxQueue, init: { limits }, background: true })
      : null;
  const risk = new WorkerPool({ taskModule: RISK_TASK_MODULE, size: config.workers.size, maxQueue: config.workers.maxQueue, maxHeapMb: RISK_WORKER_HEAP_MB });
  // Workers start with the server that serves stores: no cold first query, and the threads at rest are the threads under
  // load. (A gateway over configured sources starts its risk worker at the first risk query, as before: started at once,
  // test/gateway/alert-replicas.test.ts's second and third replicas never saw their first head; not understood yet.)
  if (stores.length > 0) await Promise.all([readers.warmUp('openStores', stores), publicReaders?.warmUp('openStores', stores), risk.warmUp('loaded', null)]);
  const gatewayReads = subgraphRequestHandler(deployments, { pool: readers, limits, logger });
  const publicClients = new PerClientLimit(config.workers.publicPerClient);
  const clientRate = new PerClientRate(config.clients);
  const publicSubgraphs = publicReaders
    ? subgraphRequestHandler(deployments, { pool: publicReaders, limits, logger, perClient: { limit: publicClients, trustForwardedFor: config.subscriptions.trustForwardedFor } })
    : null;
  // The gateway reads the embedded endpoints on a listener of its own on loopback; with "subgraphEndpoints": "loopback" it is
  // also the only place the subgraph endpoints are served.
  const internal = createServer(gatewayReads);
  internal.keepAliveTimeout = 65_000;
  await new Promise<void>((ok, fail) => {
    internal.once('error', fail);
    internal.listen(0, '127.0.0.1', () => ok());
  });
  const cache = new ResponseCache({ redisUrl: config.redisUrl ?? undefined, onError: (e) => logger.warn({ cache: config.redisUrl ? 'redis' : 'memory' }, `cache error, reading sources directly: ${e.message}`) });
  const answers = new WholeResponses(cache, config.reader.pinned, config.limits.maxTokens);
  // The live side exists once the server listens; until then its metrics are absent.
  let liveStats: (() => { connections: number; subscriptions: number; snapshots: number }) | null = null;
  const metrics = createMetrics(() => cache, { readers, risk, ...(publicReaders ? { publicReaders } : {}) }, answers, () => liveStats?.() ?? null);
  const apollo = createApollo({ limits: config.limits, production: config.production, federation: options.federation, sandbox: config.explorer === 'sandbox', plugins: [metrics.plugin], logger });
  await apollo.start();
  // Sources need the port the server ends up on (it may be 0: any free port), so they are set once it listens.
  let sources: Sources | null = null;
  const current = (): Sources => {
    if (!sources) throw new Error('the gateway is starting');
    return sources;
  };
  const heads =
    options.heads ??
    new PollingHeadFeed(() => (sources ? sources.registry.list() : []), {
      intervalMs: config.subscriptions.headPollMs,
      // One attempt per poll: the next poll is the retry.
      http: { ...config.reader.http, retries: 0 },
      onError: (source, e) => logger.debug({ deployment: `${source.protocol}/${source.network}` }, `head poll failed: ${e.message}`),
    });
  const live = new LiveFigures({ sources: current, heads, risk, logger, timeoutMs: config.requestTimeoutMs });
  const liveSchema = gatewaySchema();
  // Beside the alert state: the data directory, unless the config names a file.
  const records =
    config.replay.recordsFile !== null || existsSync(options.dataDir)
      ? new ProvenanceStore({
          path: config.replay.recordsFile ?? join(options.dataDir, 'provenance.sqlite'),
          maxRecords: config.replay.maxRecords,
          maxBytes: config.replay.maxBytes,
          onError: (e) => logger.warn({ records: config.replay.recordsFile }, `provenance records not kept (replay by digest of them needs the record): ${e.message}`),
        })
      : null;
  const alertsAt = config.alerts.stateFile !== null || existsSync(options.dataDir) || config.alerts.rules.length > 0;
  const alerts = alertsAt
    ? new AlertService({ config: config.alerts, dataDir: options.dataDir, redisUrl: config.redisUrl, live, sources: current, schema: liveSchema, risk, logger, requestTimeoutMs: config.requestTimeoutMs, production: config.production, followers: options.followers ?? null, records })
    : null;
  const server = createSvrServer({
    alerts: alerts ?? undefined,
    records: records ?? undefined,
    apollo,
    sources: current,
    maxBodyBytes: config.limits.maxBodyBytes,
    // Selections nest maxDepth deep; arguments' values add a few levels (stress scenarios: a list of objects).
    maxNesting: 2 * config.limits.maxDepth + 16,
    requestTimeoutMs: config.requestTimeoutMs,
    corsOrigins: config.corsOrigins,
    metrics: metrics.registry,
    fallback: publicSubgraphs ?? undefined,
    logger,
    risk,
    answers,
    followers: options.followers ?? null,
    dataset: options.dataset ?? datasetOf(options.dataDir, config.sources !== null),
    explorer: config.explorer,
    clientRate: { limit: clientRate, trustForwardedFor: config.subscriptions.trustForwardedFor },
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const loopback = `http://127.0.0.1:${port}`;
  const internalAddress = internal.address();
  const gatewayReadsUrl = `http://127.0.0.1:${typeof internalAddress === 'object' && internalAddress ? internalAddress.port : 0}`;
  const subgraphUrl = !publicSubgraphs ? gatewayReadsUrl : options.host === '0.0.0.0' || options.host === '::' ? loopback : base;
  const embedded = config.sources ? null : embeddedSources(deployments, gatewayReadsUrl);
  const registry = new SourceRegistry(config.sources ?? embedded!.sources);
  sources = new Sources(registry, cache, config.reader);
  const liveSources = sources;
  const unsubscribe = options.heads?.subscribe((head) => {
    liveSources.headMoved(head.protocol, head.network).catch((e: Error) => logger.warn({ deployment: `${head.protocol}/${head.network}` }, `could not drop the cached head: ${e.message}`));
  });
  const subscriptions = attachSubscriptions(server, {
    schema: liveSchema,
    limits: config.limits,
    subscriptions: config.subscriptions,
    production: config.production,
    sources: current,
    live,
    alerts: alerts ?? undefined,
    records: records ?? undefined,
    risk,
    logger,
  });
  alerts?.start();
  liveStats = () => ({ ...subscriptions.stats(), snapshots: live.computed });
  return {
    live,
    subscriptions,
    alerts,
    records,
    server,
    url: base,
    sources,
    deployments,
    servedOnly: embedded?.servedOnly ?? [],
    config,
    readers,
    publicReaders,
    publicClients,
    clientRate,
    risk,
    answers,
    subgraphUrl,
    gatewayReadsUrl,
    heads,
    async close() {
      unsubscribe?.();
      await subscriptions.close();
      await alerts?.close();
      live.close();
      if (heads instanceof PollingHeadFeed) heads.close();
      for (const s of [server, internal]) {
        await new Promise<void>((ok) => {
          s.close(() => ok());
          s.closeAllConnections();
        });
      }
      await readers.close();
      await publicReaders?.close();
      await risk.close();
      await apollo.stop();
      await cache.close();
      records?.close();
      deployments.close();
    },
  };
}
