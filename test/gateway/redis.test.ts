/**
 * Gateway replicas sharing one Redis cache (REDIS_URL, default
 * redis://127.0.0.1:6379): what one replica read, the other answers without
 * asking the sources again.
 */
import { createConnection } from 'node:net';
import pino from 'pino';
import { startServer, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { httpStats } from '../../server/sources';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const servers: RunningServer[] = [];
afterAll(async () => {
  for (const s of servers.reverse()) await s.close();
});

test('a second replica answers from the shared Redis cache', async () => {
  const { hostname, port } = new URL(REDIS_URL);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  if (!reachable) throw new Error(`no Redis at ${REDIS_URL}: start one (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") or set REDIS_URL`);

  const embedded = await startDemoGateway(await demoDataDir());
  servers.push(embedded);
  const base = loadConfig({ env: {} });
  // Sources named by the embedded server's URL, the same for both replicas (the cache key includes it).
  const sources = embedded.sources.registry.list();
  const config = { ...base, sources, redisUrl: REDIS_URL, reader: { ...base.reader, head: { ...base.reader.head, ttlMs: 60_000 } } };
  const replicas = [];
  for (let i = 0; i < 2; i++) {
    const r = await startServer({ dataDir: '/nonexistent-svr-data', port: 0, host: '127.0.0.1', config, logger: pino({ level: 'silent' }) });
    servers.push(r);
    replicas.push(r);
  }
  await replicas[0].sources.cache.clear(); // nothing left from an earlier run
  const query = '{ ratios { protocol network collateralUSD markets { market } collateral { token valueUSD } } }';
  const before = httpStats.requests;
  const first = await post(`${replicas[0].url}/graphql`, query);
  expect(first.errors).toBeUndefined();
  const firstReads = httpStats.requests - before;
  expect(firstReads).toBe(sources.length); // one document per source: its head (`_meta`) with the figures
  const between = httpStats.requests;
  const second = await post(`${replicas[1].url}/graphql`, query);
  expect(second.data).toEqual(first.data);
  expect(httpStats.requests - between).toBe(0);
  expect(replicas[1].sources.cache.stats.hits).toBeGreaterThan(0);
  expect((await (await fetch(`${replicas[1].url}/health`)).json()) as object).toMatchObject({ cache: 'redis' });
});
