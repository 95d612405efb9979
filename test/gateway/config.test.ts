/** The gateway's config file and environment: defaults, and errors that name the file and the bad key. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../server/gateway/config';

const dir = mkdtempSync(join(tmpdir(), 'svr-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
function file(content: unknown): string {
  const path = join(dir, `svr.config.${files++}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

test('defaults: embedded sources, memory cache, development CORS open', () => {
  const c = loadConfig({ env: {} });
  expect(c).toMatchObject({ sources: null, redisUrl: null, production: false, corsOrigins: ['*'], requestTimeoutMs: 15000 });
  expect(c.reader.head).toMatchObject({ ttlMs: 2000, staleMs: 300000 });
  expect(c.limits).toEqual({ maxDepth: 12, maxAliases: 30, maxCost: 5000, maxTokens: 4000, maxBodyBytes: 102400 });
});

test('production closes CORS unless origins are given; the environment wins over the file', () => {
  expect(loadConfig({ env: { NODE_ENV: 'production' } })).toMatchObject({ production: true, corsOrigins: [] });
  const path = file({ cors: { origins: ['https://a.example'] }, cache: { redisUrl: 'redis://10.0.0.1:6379' } });
  expect(loadConfig({ file: path, env: { REDIS_URL: 'redis://127.0.0.1:6379' } })).toMatchObject({ corsOrigins: ['https://a.example'], redisUrl: 'redis://127.0.0.1:6379' });
  expect(loadConfig({ file: path, env: { SVR_CORS_ORIGINS: 'https://b.example, https://c.example' } }).corsOrigins).toEqual(['https://b.example', 'https://c.example']);
});

test('sources with a header secret read from the environment', () => {
  const path = file({
    sources: [{ protocol: 'gmx-v1', network: 'arbitrum-one', url: 'https://gn.example/subgraphs/name/gmx', headers: { Authorization: { env: 'GRAPH_KEY', prefix: 'Bearer ' }, 'x-team': 'risk' } }],
  });
  expect(loadConfig({ file: path, env: { GRAPH_KEY: 's3cret' } }).sources).toEqual([
    { protocol: 'gmx-v1', network: 'arbitrum-one', url: 'https://gn.example/subgraphs/name/gmx', headers: { Authorization: 'Bearer s3cret', 'x-team': 'risk' } },
  ]);
  expect(() => loadConfig({ file: path, env: {} })).toThrow(/sources\[0\]\.headers\.Authorization reads the environment variable GRAPH_KEY, which is not set/);
});

test.each([
  [{ sources: [{ protocol: 'gmx-v1', network: 'x', url: 'ftp://nope' }] }, /sources\[0\]\.url must be an http\(s\) URL/],
  [{ sources: [{ protocol: 'gmx-v1', url: 'http://a' }] }, /sources\[0\]\.network must be a non-empty string/],
  [{ cache: { ttlSecs: 3 } }, /cache\.ttlSecs is not a setting \(known: ttlSeconds, staleSeconds, redisUrl\)/],
  [{ upstream: { timeoutMs: -1 } }, /upstream\.timeoutMs must be a positive number/],
  [{ limits: { maxDepth: 'deep' } }, /limits\.maxDepth must be a positive number/],
  [{ cors: { origins: 'https://a' } }, /cors\.origins must be a list/],
  [{ colour: 'blue' }, /config\.colour is not a setting/],
  ['{ not json', /svr\.config\.\d+\.json: .*JSON/],
])('a bad config %j is refused naming the key', (content, message) => {
  const path = file(content);
  let error: unknown;
  try {
    loadConfig({ file: path, env: {} });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toContain(path);
  expect((error as Error).message).toMatch(message);
});

test('a REDIS_URL that is not redis:// and a missing config file are refused', () => {
  expect(() => loadConfig({ env: { REDIS_URL: 'localhost:6379' } })).toThrow(/REDIS_URL \(or cache\.redisUrl\) must be a redis:\/\/ URL/);
  expect(() => loadConfig({ file: '/nonexistent/svr.config.json', env: {} })).toThrow(/does not exist/);
});

test('chains and follow: the node URL from the file or the environment, defaults per chain, the restart back-off', () => {
  const path = file({
    chains: { 'arbitrum-one': { rpc: { env: 'ARB_RPC_URL' }, finalityDepth: 240 }, mainnet: { rpc: 'http://127.0.0.1:8545', callsPerSecond: 0 } },
    follow: [{ subgraph: 'gmx-v1', network: 'arbitrum-one' }, { subgraph: 'aave-v3', network: 'mainnet', from: 16291127 }],
  });
  const c = loadConfig({ file: path, env: { ARB_RPC_URL: 'https://arb.example/v2/key' } });
  expect(c.live).toEqual({
    chains: {
      'arbitrum-one': { network: 'arbitrum-one', rpcUrl: 'https://arb.example/v2/key', finalityDepth: 240, callsPerSecond: 100, pollIntervalMs: 1000 },
      mainnet: { network: 'mainnet', rpcUrl: 'http://127.0.0.1:8545', finalityDepth: undefined, callsPerSecond: 0, pollIntervalMs: 1000 },
    },
    follow: [{ subgraph: 'gmx-v1', network: 'arbitrum-one' }, { subgraph: 'aave-v3', network: 'mainnet', from: 16291127 }],
    restart: { initialMs: 1000, maxMs: 60000 },
  });
  expect(loadConfig({ env: {} }).live).toBeNull();
});

test.each([
  [{ follow: [{ subgraph: 'gmx-v1', network: 'avalanche' }] }, /follow\[0\]\.network is "avalanche", which chains does not configure: add chains\.avalanche\.rpc/],
  [{ chains: { mainnet: { rpc: { env: 'NOPE_RPC' } } } }, /chains\.mainnet\.rpc reads the environment variable NOPE_RPC, which is not set/],
  [{ chains: { mainnet: { rpc: 'ws://127.0.0.1:8546' } } }, /chains\.mainnet\.rpc must be an http\(s\) JSON-RPC URL, not "ws:\/\/127\.0\.0\.1:8546"/],
  [{ chains: { mainnet: { url: 'http://x' } } }, /chains\.mainnet\.url is not a setting/],
  [{ chains: { mainnet: {} } }, /chains\.mainnet\.rpc is missing/],
  [{ chains: { mainnet: { rpc: 'http://x', finalityDepth: -1 } } }, /chains\.mainnet\.finalityDepth must be a whole number/],
  [{ chains: { mainnet: { rpc: 'http://x' } }, follow: [{ subgraph: 'a', network: 'mainnet' }, { subgraph: 'a', network: 'mainnet' }] }, /follow\[1\] follows a\/mainnet a second time/],
  [{ followRestart: { initialMs: 5000, maxMs: 100 } }, /followRestart\.maxMs \(100\) is below followRestart\.initialMs \(5000\)/],
])('a bad follow setting is named: %j', (content, message) => {
  const path = file(content);
  expect(() => loadConfig({ file: path, env: {} })).toThrow(ConfigError);
  expect(() => loadConfig({ file: path, env: {} })).toThrow(message);
  expect(() => loadConfig({ file: path, env: {} })).toThrow(path);
});
