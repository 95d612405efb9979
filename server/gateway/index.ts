/**
 * The gateway: ratio, buffer, history and exposure queries across protocols
 * and chains, over the subgraph sources. `startServer` runs it with the
 * embedded deployments of a data directory on one port.
 */
import type { Server } from 'node:http';
import pino, { type Logger } from 'pino';
import { ResponseCache, SourceRegistry, Sources } from '../sources';
import { DeploymentRegistry, subgraphRequestHandler } from '../subgraph-api';
import { createApollo } from './apollo';
import { loadConfig, type GatewayConfig } from './config';
import { createSvrServer } from './http';
import { embeddedSources, type EmbeddedSources } from './embedded-sources';
import { createMetrics } from './metrics';

export { loadConfig, ConfigError, type GatewayConfig } from './config';
export { createApollo, gatewaySchema, federatedTypeDefs, publicTypeDefs } from './apollo';
export { Decimal } from './decimal';
export { commonSchemaMismatch, embeddedSources, type EmbeddedSources } from './embedded-sources';

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
}

export interface RunningServer {
  server: Server;
  url: string;
  sources: Sources;
  deployments: DeploymentRegistry;
  /** Deployments of the data directory served at /subgraphs but not read by the gateway (their schema is not svr's common one); empty when the config lists the sources. */
  servedOnly: EmbeddedSources['servedOnly'];
  config: GatewayConfig;
  close(): Promise<void>;
}

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? pino({ name: 'svr', level: process.env.SVR_LOG_LEVEL ?? 'info' }, pino.destination(2));
  const deployments = DeploymentRegistry.scan(options.dataDir);
  const cache = new ResponseCache({ redisUrl: config.redisUrl ?? undefined, onError: (e) => logger.warn({ cache: config.redisUrl ? 'redis' : 'memory' }, `cache error, reading sources directly: ${e.message}`) });
  const metrics = createMetrics(() => cache);
  const apollo = createApollo({ limits: config.limits, production: config.production, federation: options.federation, plugins: [metrics.plugin], logger });
  await apollo.start();
  // Sources need the port the server ends up on (it may be 0: any free port), so they are set once it listens.
  let sources: Sources | null = null;
  const current = (): Sources => {
    if (!sources) throw new Error('the gateway is starting');
    return sources;
  };
  const server = createSvrServer({
    apollo,
    sources: current,
    maxBodyBytes: config.limits.maxBodyBytes,
    requestTimeoutMs: config.requestTimeoutMs,
    corsOrigins: config.corsOrigins,
    metrics: metrics.registry,
    fallback: subgraphRequestHandler(deployments),
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, () => ok());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const base = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  const loopback = `http://127.0.0.1:${port}`;
  const embedded = config.sources ? null : embeddedSources(deployments, options.host === '0.0.0.0' || options.host === '::' ? loopback : base);
  const registry = new SourceRegistry(config.sources ?? embedded!.sources);
  sources = new Sources(registry, cache, config.reader);
  return {
    server,
    url: base,
    sources,
    deployments,
    servedOnly: embedded?.servedOnly ?? [],
    config,
    async close() {
      await new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      });
      await apollo.stop();
      await cache.close();
      deployments.close();
    },
  };
}
