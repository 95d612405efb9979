/**
 * The config keys that say which chains svr follows (composed into the
 * gateway's loadConfig, server/gateway/config.ts, which names the file in
 * every error):
 *
 *   "chains": {
 *     "arbitrum-one": { "rpc": { "env": "ARB_RPC_URL" }, "finalityDepth": 240 },
 *     "mainnet":      { "rpc": "http://127.0.0.1:8545", "callsPerSecond": 50, "pollIntervalMs": 1000 }
 *   },
 *   "follow": [
 *     { "subgraph": "gmx-v1", "network": "arbitrum-one" },
 *     { "subgraph": "aave-v3", "network": "mainnet", "from": 16291127 }
 *   ],
 *   "followRestart": { "initialMs": 1000, "maxMs": 60000 }
 *
 * `rpc`: the node's JSON-RPC HTTP URL, or { "env": NAME } to read it from the
 * environment (an API key in the URL stays out of the file). `finalityDepth`
 * overrides server/ingest/rpc/networks.ts. `follow`: the deployments `svr
 * start --config` indexes up to the head and follows, each in its own process;
 * every network it names needs a `chains` entry. `followRestart`: the back-off
 * of a crashed follower's restart (docs/live.md).
 */
export interface ChainConfig {
  network: string;
  rpcUrl: string;
  finalityDepth?: number;
  /** JSON-RPC calls per second at most (0: no limit); default 100, as `svr index --rpc`. */
  callsPerSecond: number;
  /** Between polls of the head when caught up. */
  pollIntervalMs: number;
}

export interface FollowTarget {
  subgraph: string;
  network: string;
  /** First block when the store is empty (default: the manifest's start block). */
  from?: number;
}

export interface FollowConfig {
  chains: Record<string, ChainConfig>;
  follow: FollowTarget[];
  restart: { initialMs: number; maxMs: number };
}

export const DEFAULT_RESTART = { initialMs: 1_000, maxMs: 60_000 };

type Json = Record<string, unknown>;

/** Thrown with the key's path; the caller makes it a ConfigError with the file's name. */
export class FollowConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
}

function object(value: unknown, where: string): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new FollowConfigError(`${where} must be an object`);
  return value as Json;
}

function allowOnly(o: Json, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new FollowConfigError(`${where}.${k} is not a setting (known: ${keys.join(', ')})`);
}

function whole(o: Json, key: string, where: string, min = 0): number | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) throw new FollowConfigError(`${where}.${key} must be a whole number${min ? ` of at least ${min}` : ''}, not ${JSON.stringify(v)}`);
  return v;
}

function name(o: Json, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !/^[a-z0-9][a-z0-9._-]*$/i.test(v)) throw new FollowConfigError(`${where}.${key} must be a name such as "arbitrum-one" or "gmx-v1", not ${JSON.stringify(v)}`);
  return v;
}

function rpcUrl(value: unknown, where: string, env: NodeJS.ProcessEnv): string {
  let url: string;
  if (typeof value === 'string') url = value;
  else {
    const o = object(value, where);
    allowOnly(o, ['env'], where);
    if (typeof o.env !== 'string' || !o.env) throw new FollowConfigError(`${where}.env must name an environment variable`);
    const set = env[o.env];
    if (!set) throw new FollowConfigError(`${where} reads the environment variable ${o.env}, which is not set: export it with the node's URL`);
    url = set;
  }
  if (!/^https?:\/\/\S+$/.test(url)) throw new FollowConfigError(`${where} must be an http(s) JSON-RPC URL${typeof value === 'string' ? `, not "${url}"` : ' (the environment variable holds something else)'}`);
  return url;
}

/** `chains`, `follow` and `followRestart` of the raw config; null when it has none of them. */
export function parseFollowConfig(raw: Json, env: NodeJS.ProcessEnv): FollowConfig | null {
  if (raw.chains === undefined && raw.follow === undefined && raw.followRestart === undefined) return null;
  const chains: Record<string, ChainConfig> = {};
  for (const [network, spec] of Object.entries(object(raw.chains ?? {}, 'chains'))) {
    const where = `chains.${network}`;
    const o = object(spec, where);
    allowOnly(o, ['rpc', 'finalityDepth', 'callsPerSecond', 'pollIntervalMs'], where);
    if (o.rpc === undefined) throw new FollowConfigError(`${where}.rpc is missing: give the node's URL, or { "env": "NAME" }`);
    chains[network] = {
      network,
      rpcUrl: rpcUrl(o.rpc, `${where}.rpc`, env),
      finalityDepth: whole(o, 'finalityDepth', where),
      callsPerSecond: whole(o, 'callsPerSecond', where) ?? 100,
      pollIntervalMs: whole(o, 'pollIntervalMs', where, 10) ?? 1000,
    };
  }
  if (raw.follow !== undefined && !Array.isArray(raw.follow)) throw new FollowConfigError('follow must be a list of { "subgraph", "network" }');
  const seen = new Set<string>();
  const follow = ((raw.follow as unknown[] | undefined) ?? []).map((entry, i): FollowTarget => {
    const where = `follow[${i}]`;
    const o = object(entry, where);
    allowOnly(o, ['subgraph', 'network', 'from'], where);
    const subgraph = name(o, 'subgraph', where);
    const network = name(o, 'network', where);
    if (!chains[network]) throw new FollowConfigError(`${where}.network is "${network}", which chains does not configure: add chains.${network}.rpc`);
    const key = `${subgraph}/${network}`;
    if (seen.has(key)) throw new FollowConfigError(`${where} follows ${key} a second time`);
    seen.add(key);
    const from = whole(o, 'from', where);
    return { subgraph, network, ...(from !== undefined ? { from } : {}) };
  });
  const r = object(raw.followRestart ?? {}, 'followRestart');
  allowOnly(r, ['initialMs', 'maxMs'], 'followRestart');
  const restart = { initialMs: whole(r, 'initialMs', 'followRestart', 1) ?? DEFAULT_RESTART.initialMs, maxMs: whole(r, 'maxMs', 'followRestart', 1) ?? DEFAULT_RESTART.maxMs };
  if (restart.maxMs < restart.initialMs) throw new FollowConfigError(`followRestart.maxMs (${restart.maxMs}) is below followRestart.initialMs (${restart.initialMs})`);
  return { chains, follow, restart };
}
