/**
 * The gateway's configuration: one JSON file (optional) plus environment
 * variables, validated at start. An error names the bad key and the file.
 *
 * File (`svr.config.json` in the working directory, or --config / SVR_CONFIG):
 *
 *   {
 *     "sources": [{ "protocol": "gmx-v1", "network": "arbitrum-one",
 *                   "url": "https://graph-node.example/subgraphs/name/gmx-v1",
 *                   "headers": { "Authorization": { "env": "GRAPH_API_KEY", "prefix": "Bearer " } },
 *                   "statusUrl": "https://graph-node.example:8030/graphql" }],
 *     "cache": { "ttlSeconds": 2, "staleSeconds": 300, "redisUrl": "redis://127.0.0.1:6379" },
 *     "upstream": { "timeoutMs": 5000, "retries": 2 },
 *     "requestTimeoutMs": 15000,
 *     "limits": { "maxDepth": 12, "maxAliases": 30, "maxCost": 5000, "maxTokens": 4000, "maxBodyBytes": 102400 },
 *     "cors": { "origins": ["https://app.example"] },
 *     "workers": { "size": 1, "publicReaders": 1, "publicPerClient": 8, "maxQueue": 4 },
 *     "subgraphEndpoints": "public",
 *     "explorer": "graphiql",
 *     "production": false,
 *     "subscriptions": { "maxConnections": 1000, "maxConnectionsPerClient": 20, "maxSubscriptionsPerConnection": 20,
 *                        "maxSubscriptions": 5000, "maxQueuedEvents": 64, "maxBufferedBytes": 4194304, "headPollMs": 1000 },
 *     "clients": { "requestsPerSecond": 50, "burst": 50, "maxDelayMs": 2000 },
 *     "alerts": { "rules": [...], "webhooks": [...] }   (server/alerts/config.ts, docs/alerts.md)
 *     "replay": { "recordsFile": "/var/lib/svr/provenance.sqlite", "maxRecords": 100000, "maxBytes": 134217728 }
 *   }
 *
 * `workers`: each worker pool's threads (default: the reader pool, which
 * answers the gateway's own subgraph reads, one per core, since the event loop
 * only waits while they read; the risk pool cores - 1, at least 1, and so the
 * public lane, `publicReaders`, which answers /subgraphs for everyone else, at
 * a lower CPU priority than the event loop; `publicPerClient` (default 8)
 * queries of one client in that lane at once, past which it gets 429 with
 * Retry-After) and
 * the calls that may wait for one (default 256: a gateway request fans out
 * to every source at once; queued calls still expire at their deadline)
 * before BUSY.
 * `subgraphEndpoints`: "public" serves /subgraphs/... on the gateway's own
 * listener; "loopback" serves them only on a second listener bound to
 * 127.0.0.1 (which the gateway reads), keeping them off the public address.
 * Default: "public" in development, "loopback" in production.
 * The subgraph API's own limits are graph-node's environment variables
 * (server/subgraph-api/limits.ts, docs/gateway.md).
 *
 * `clients`: each client's request rate at every path but /health and
 * /metrics (/graphql, the public /subgraphs, the page; server/http/per-client.ts): `burst` at once, then `requestsPerSecond`
 * kept up, a request beyond it held up to `maxDelayMs`, past that 429 with
 * Retry-After; `requestsPerSecond: 0` turns it off. The client is the peer
 * address, or the first X-Forwarded-For with subscriptions.trustForwardedFor.
 *
 * `explorer`: what a browser opening /graphql gets: "graphiql" (bundled, works
 * offline; the default in development), "sandbox" (Apollo Sandbox, which loads
 * from Apollo's CDN and needs the internet) or "off" (the default in production,
 * which turns introspection off).
 *
 * `replay`: the store of the provenance records svr served, for replay by
 * digest alone (provenance-store.ts; default `<data dir>/provenance.sqlite`,
 * 100,000 records, 128 MiB, the oldest served first out).
 *
 * Environment: REDIS_URL (the shared cache), NODE_ENV=production (production
 * mode), SVR_CORS_ORIGINS (comma-separated), SVR_CONFIG (the file), SVR_EXPLORER.
 * Without "sources", the gateway reads the embedded endpoints of every
 * deployment in the data directory.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_READER_OPTIONS, type ReaderOptions, type SourceDefinition } from '../sources';
import { availableParallelism } from 'node:os';
import { DEFAULT_POOL_QUEUE, defaultPoolSize } from '../workers/pool';
import { FollowConfigError, parseFollowConfig, type FollowConfig } from '../indexer/follow-config';
import { DEFAULT_RECORD_LIMITS } from './provenance-store';
import { AlertRuleError, DEFAULT_ALERTS, parseAlertsConfig, type AlertsConfig } from '../alerts';
import type { ClientRateOptions } from '../http/per-client';

/** Bounds of the subscriptions over WebSocket (ws.ts, docs/gateway.md "Subscriptions"). */
export interface SubscriptionLimits {
  maxConnections: number;
  maxConnectionsPerClient: number;
  maxSubscriptionsPerConnection: number;
  maxSubscriptions: number;
  /** Events a subscriber may fall behind before it is dropped. */
  maxQueuedEvents: number;
  /** Unsent bytes a subscriber's socket may hold before it is dropped. */
  maxBufferedBytes: number;
  /** Milliseconds between polls of each source's head, when no follower feeds them. */
  headPollMs: number;
  /** WebSocket ping interval, ms. */
  keepAliveMs: number;
  /** Count connections per the first X-Forwarded-For address (behind a load balancer that sets it) rather than per peer. */
  trustForwardedFor: boolean;
}

export const DEFAULT_SUBSCRIPTIONS: SubscriptionLimits = {
  maxConnections: 1_000,
  maxConnectionsPerClient: 20,
  maxSubscriptionsPerConnection: 20,
  maxSubscriptions: 5_000,
  maxQueuedEvents: 64,
  maxBufferedBytes: 4 * 1024 * 1024,
  headPollMs: 1_000,
  keepAliveMs: 12_000,
  trustForwardedFor: false,
};

export interface GatewayLimits {
  /** Deepest field nesting a query may have. */
  maxDepth: number;
  /** Aliases per query. */
  maxAliases: number;
  /** graphql-armor's cost estimate per query. */
  maxCost: number;
  /** Tokens per query document. */
  maxTokens: number;
  /** Request body size, bytes. */
  maxBodyBytes: number;
}

export interface GatewayConfig {
  /** Configured sources; null: the embedded endpoints of the data directory. */
  sources: SourceDefinition[] | null;
  reader: ReaderOptions;
  redisUrl: string | null;
  /** Milliseconds a whole gateway request may take. */
  requestTimeoutMs: number;
  limits: GatewayLimits;
  /** Allowed browser origins; ['*'] allows any. */
  corsOrigins: string[];
  /** Introspection and the landing page off, errors without stack traces. */
  production: boolean;
  /**
   * `size`: the risk pool's threads; `readers`: the reader pool's, which runs the gateway's own reads (both `workers.size` when the file gives it);
   * `publicReaders`: the public lane's threads, which run the /subgraphs queries of everyone else; `publicPerClient`: the queries one client may
   * have running or waiting in the public lane before it is answered 429.
   */
  workers: { size: number; readers: number; publicReaders: number; publicPerClient: number; maxQueue: number };
  /** Where the embedded subgraph endpoints listen: the public listener, or loopback only. */
  subgraphEndpoints: 'public' | 'loopback';
  /** The chains' nodes and the deployments `svr start` follows (server/indexer/follow-config.ts); null when the file has none. */
  live: FollowConfig | null;
  /** What a browser gets at /graphql: the bundled GraphiQL (offline), Apollo Sandbox (loaded from Apollo's CDN), or nothing. */
  explorer: Explorer;
  subscriptions: SubscriptionLimits;
  /** Each client's request rate at every path but /health and /metrics (/graphql, the public /subgraphs, the page) (server/http/per-client.ts); the client's address as `subscriptions.trustForwardedFor` says. */
  clients: ClientRateOptions;
  alerts: AlertsConfig;
  /** The served-records store (provenance-store.ts): its file (null: `<data dir>/provenance.sqlite`) and bounds. */
  replay: { recordsFile: string | null; maxRecords: number; maxBytes: number };
  /** Where the settings came from, for the start-up banner. */
  file: string | null;
}

export const EXPLORERS = ['graphiql', 'sandbox', 'off'] as const;
export type Explorer = (typeof EXPLORERS)[number];

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

/**
 * Queries one client may have running or waiting in the public reader lane at once: room for a client's few
 * connections firing together (autocannon's 4 send in step), not for a flood that would queue everyone's work.
 */
export const DEFAULT_PUBLIC_PER_CLIENT = 8;

/**
 * Per client: 50 requests a second kept up, 50 at once, a request beyond that held up to 2 s to bring its client back to
 * its rate. A page, a dashboard or a script asking in turn stays below it; a client sending as fast as it is answered
 * costs the event loop 50 requests a second.
 */
export const DEFAULT_CLIENT_RATE: ClientRateOptions = { requestsPerSecond: 50, burst: 50, maxDelayMs: 2_000 };

export const DEFAULT_LIMITS: GatewayLimits = { maxDepth: 12, maxAliases: 30, maxCost: 5_000, maxTokens: 4_000, maxBodyBytes: 100 * 1024 };

type Json = Record<string, unknown>;

function object(value: unknown, where: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where} must be an object`);
  return value as Json;
}

function allowOnly(o: Json, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new ConfigError(`${where}.${k} is not a setting (known: ${keys.join(', ')})`);
}

function positive(o: Json, key: string, where: string, fallback: number, { allowZero = false } = {}): number {
  const v = o[key];
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConfigError(`${where}.${key} must be a ${allowZero ? 'non-negative' : 'positive'} number, not ${JSON.stringify(v)}`);
  }
  return v;
}

function text(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !v) throw new ConfigError(`${where}.${key} must be a non-empty string`);
  return v;
}

function parseSources(value: unknown, env: NodeJS.ProcessEnv): SourceDefinition[] {
  if (!Array.isArray(value)) throw new ConfigError('sources must be a list of { protocol, network, url }');
  return value.map((entry, i) => {
    const where = `sources[${i}]`;
    const o = object(entry, where);
    allowOnly(o, ['protocol', 'network', 'url', 'headers', 'statusUrl'], where);
    const url = text(o, 'url', where);
    if (!/^https?:\/\//.test(url)) throw new ConfigError(`${where}.url must be an http(s) URL, not "${url}"`);
    const statusUrl = o.statusUrl === undefined ? undefined : text(o, 'statusUrl', where);
    if (statusUrl !== undefined && !/^https?:\/\//.test(statusUrl)) throw new ConfigError(`${where}.statusUrl must be an http(s) URL, not "${statusUrl}"`);
    const headers: Record<string, string> = {};
    if (o.headers !== undefined) {
      for (const [name, spec] of Object.entries(object(o.headers, `${where}.headers`))) {
        const hw = `${where}.headers.${name}`;
        if (typeof spec === 'string') {
          headers[name] = spec;
          continue;
        }
        const s = object(spec, hw);
        allowOnly(s, ['env', 'prefix'], hw);
        const variable = text(s, 'env', hw);
        const secret = env[variable];
        if (!secret) throw new ConfigError(`${hw} reads the environment variable ${variable}, which is not set`);
        headers[name] = `${typeof s.prefix === 'string' ? s.prefix : ''}${secret}`;
      }
    }
    return { protocol: text(o, 'protocol', where), network: text(o, 'network', where), url, headers, ...(statusUrl ? { statusUrl } : {}) };
  });
}

export function loadConfig(options: { file?: string | null; env?: NodeJS.ProcessEnv } = {}): GatewayConfig {
  const env = options.env ?? process.env;
  const explicit = options.file ?? env.SVR_CONFIG ?? null;
  const file = explicit ? resolve(explicit) : existsSync(resolve('svr.config.json')) ? resolve('svr.config.json') : null;
  let raw: Json = {};
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`the config file ${file} does not exist`);
    try {
      raw = object(JSON.parse(readFileSync(file, 'utf8')), 'the config');
    } catch (e) {
      throw new ConfigError(`${file}: ${(e as Error).message}`);
    }
  }
  try {
    allowOnly(raw, ['sources', 'cache', 'upstream', 'requestTimeoutMs', 'limits', 'cors', 'workers', 'subgraphEndpoints', 'production', 'chains', 'follow', 'followRestart', 'explorer', 'subscriptions', 'clients', 'alerts', 'replay'], 'config');
    let live: FollowConfig | null;
    try {
      live = parseFollowConfig(raw, env);
    } catch (e) {
      if (e instanceof FollowConfigError) throw new ConfigError(e.message);
      throw e;
    }
    const subscriptions = object(raw.subscriptions ?? {}, 'subscriptions');
    allowOnly(subscriptions, Object.keys(DEFAULT_SUBSCRIPTIONS), 'subscriptions');
    if (subscriptions.trustForwardedFor !== undefined && typeof subscriptions.trustForwardedFor !== 'boolean') throw new ConfigError('subscriptions.trustForwardedFor must be true or false');
    let alerts: AlertsConfig;
    try {
      alerts = raw.alerts === undefined ? DEFAULT_ALERTS : parseAlertsConfig(raw.alerts, env);
    } catch (e) {
      throw e instanceof AlertRuleError ? new ConfigError(e.message) : e;
    }
    const replay = object(raw.replay ?? {}, 'replay');
    allowOnly(replay, ['recordsFile', 'maxRecords', 'maxBytes'], 'replay');
    const clients = object(raw.clients ?? {}, 'clients');
    allowOnly(clients, Object.keys(DEFAULT_CLIENT_RATE), 'clients');
    const workers = object(raw.workers ?? {}, 'workers');
    allowOnly(workers, ['size', 'publicReaders', 'publicPerClient', 'maxQueue'], 'workers');
    if (raw.subgraphEndpoints !== undefined && raw.subgraphEndpoints !== 'public' && raw.subgraphEndpoints !== 'loopback') {
      throw new ConfigError(`config.subgraphEndpoints must be "public" or "loopback", not ${JSON.stringify(raw.subgraphEndpoints)}`);
    }
    const explorer = env.SVR_EXPLORER ?? raw.explorer;
    if (explorer !== undefined && !EXPLORERS.includes(explorer as Explorer)) {
      throw new ConfigError(`config.explorer (or SVR_EXPLORER) must be one of ${EXPLORERS.map((e) => `"${e}"`).join(', ')}, not ${JSON.stringify(explorer)}`);
    }
    const cache = object(raw.cache ?? {}, 'cache');
    allowOnly(cache, ['ttlSeconds', 'staleSeconds', 'redisUrl'], 'cache');
    const upstream = object(raw.upstream ?? {}, 'upstream');
    allowOnly(upstream, ['timeoutMs', 'retries'], 'upstream');
    const limits = object(raw.limits ?? {}, 'limits');
    allowOnly(limits, Object.keys(DEFAULT_LIMITS), 'limits');
    const cors = object(raw.cors ?? {}, 'cors');
    allowOnly(cors, ['origins'], 'cors');
    const redisUrl = env.REDIS_URL || (typeof cache.redisUrl === 'string' ? cache.redisUrl : null);
    if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError(`REDIS_URL (or cache.redisUrl) must be a redis:// URL, not "${redisUrl}"`);
    const production = env.NODE_ENV === 'production' || raw.production === true;
    const originsEnv = env.SVR_CORS_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
    if (cors.origins !== undefined && (!Array.isArray(cors.origins) || !cors.origins.every((o) => typeof o === 'string'))) {
      throw new ConfigError('cors.origins must be a list of origins, e.g. ["https://app.example"], or ["*"]');
    }
    return {
      sources: raw.sources === undefined ? null : parseSources(raw.sources, env),
      reader: {
        http: {
          timeoutMs: positive(upstream, 'timeoutMs', 'upstream', DEFAULT_READER_OPTIONS.http.timeoutMs),
          retries: positive(upstream, 'retries', 'upstream', DEFAULT_READER_OPTIONS.http.retries, { allowZero: true }),
          retryDelayMs: DEFAULT_READER_OPTIONS.http.retryDelayMs,
        },
        head: {
          ttlMs: positive(cache, 'ttlSeconds', 'cache', DEFAULT_READER_OPTIONS.head.ttlMs / 1000, { allowZero: true }) * 1000,
          staleMs: positive(cache, 'staleSeconds', 'cache', DEFAULT_READER_OPTIONS.head.staleMs / 1000, { allowZero: true }) * 1000,
          revalidateWaitMs: DEFAULT_READER_OPTIONS.head.revalidateWaitMs,
        },
        pinned: DEFAULT_READER_OPTIONS.pinned,
      },
      redisUrl,
      requestTimeoutMs: positive(raw, 'requestTimeoutMs', 'config', 15_000),
      limits: Object.fromEntries(Object.entries(DEFAULT_LIMITS).map(([k, v]) => [k, positive(limits, k, 'limits', v)])) as unknown as GatewayLimits,
      // Open to any origin in development; production serves only the origins it is given.
      corsOrigins: originsEnv ?? (cors.origins as string[] | undefined) ?? (production ? [] : ['*']),
      production,
      workers: (() => {
        const size = Math.floor(positive(workers, 'size', 'workers', defaultPoolSize()));
        // Parallel reads of a cold fan-out: the reader threads work while the event loop waits for them (measured in bench:gateway).
        const readers = workers.size === undefined ? availableParallelism() : size;
        return {
          size,
          readers,
          publicReaders: Math.floor(positive(workers, 'publicReaders', 'workers', size)),
          publicPerClient: Math.floor(positive(workers, 'publicPerClient', 'workers', DEFAULT_PUBLIC_PER_CLIENT)),
          maxQueue: Math.floor(positive(workers, 'maxQueue', 'workers', DEFAULT_POOL_QUEUE, { allowZero: true })),
        };
      })(),
      subgraphEndpoints: (raw.subgraphEndpoints as 'public' | 'loopback' | undefined) ?? (production ? 'loopback' : 'public'),
      live,
      // Production turns introspection off, which an explorer needs.
      explorer: (explorer as Explorer | undefined) ?? (production ? 'off' : 'graphiql'),
      subscriptions: {
        ...(Object.fromEntries(
          Object.entries(DEFAULT_SUBSCRIPTIONS)
            .filter(([, v]) => typeof v === 'number')
            .map(([k, v]) => [k, Math.floor(positive(subscriptions, k, 'subscriptions', v as number))]),
        ) as unknown as SubscriptionLimits),
        trustForwardedFor: (subscriptions.trustForwardedFor as boolean | undefined) ?? DEFAULT_SUBSCRIPTIONS.trustForwardedFor,
      },
      clients: {
        requestsPerSecond: positive(clients, 'requestsPerSecond', 'clients', DEFAULT_CLIENT_RATE.requestsPerSecond, { allowZero: true }),
        burst: Math.floor(positive(clients, 'burst', 'clients', DEFAULT_CLIENT_RATE.burst)),
        maxDelayMs: positive(clients, 'maxDelayMs', 'clients', DEFAULT_CLIENT_RATE.maxDelayMs, { allowZero: true }),
      },
      alerts,
      replay: {
        recordsFile: replay.recordsFile === undefined ? null : resolve(text(replay, 'recordsFile', 'replay')),
        maxRecords: Math.floor(positive(replay, 'maxRecords', 'replay', DEFAULT_RECORD_LIMITS.maxRecords)),
        maxBytes: Math.floor(positive(replay, 'maxBytes', 'replay', DEFAULT_RECORD_LIMITS.maxBytes)),
      },
      file,
    };
  } catch (e) {
    if (e instanceof ConfigError && file) throw new ConfigError(`${file}: ${e.message}`);
    throw e;
  }
}
