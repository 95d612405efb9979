/**
 * The response cache, in memory and in a real Redis (REDIS_URL, default
 * redis://127.0.0.1:6379): fresh and stale entries, one load per key,
 * batched misses, and a Redis that cannot be reached being bypassed.
 */
import { createConnection } from 'node:net';
import { ResponseCache, type CachePolicy } from '../../server/sources';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.setTimeout(1000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));
const caches: ResponseCache[] = [];
afterAll(async () => {
  for (const c of caches) {
    await c.clear();
    await c.close();
  }
});

describe.each(['memory', 'redis'] as const)('%s', (backend) => {
  let cache: ResponseCache;
  beforeAll(async () => {
    if (backend === 'redis' && !(await redisReachable(REDIS_URL))) {
      throw new Error(`no Redis at ${REDIS_URL}: start one (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") or set REDIS_URL`);
    }
    cache = new ResponseCache({ redisUrl: backend === 'redis' ? REDIS_URL : undefined, namespace: `svr-test-${process.pid}-${Date.now()}` });
    caches.push(cache);
  });

  test('a fresh entry is served without loading; past its time to live it is served stale and reloaded once', async () => {
    const policy: CachePolicy = { ttlMs: 150, staleMs: 60_000 };
    let loads = 0;
    const load = async () => ++loads;
    expect(await cache.get('k1', policy, load)).toEqual({ value: 1, stale: false, ageMs: 0 });
    expect((await cache.get('k1', policy, load)).value).toBe(1);
    expect(loads).toBe(1);
    await sleep(250);
    const stale = await cache.get('k1', policy, load);
    expect(stale).toMatchObject({ value: 1, stale: true });
    expect(stale.ageMs).toBeGreaterThanOrEqual(150);
    while (loads < 2) await sleep(10); // the background refresh
    await sleep(20);
    expect(await cache.get('k1', policy, load)).toMatchObject({ value: 2, stale: false });
  });

  test('a failing refresh leaves the stale entry; past the stale window the failure shows', async () => {
    const policy: CachePolicy = { ttlMs: 50, staleMs: 300 };
    await cache.get('k2', policy, async () => 'first');
    await sleep(100);
    const failing = async (): Promise<string> => {
      throw new Error('source down');
    };
    expect(await cache.get('k2', policy, failing)).toMatchObject({ value: 'first', stale: true });
    expect(await cache.get('k2', policy, failing)).toMatchObject({ value: 'first', stale: true });
    await sleep(400);
    await expect(cache.get('k2', policy, failing)).rejects.toThrow('source down');
  });

  test('with a revalidation wait, a healthy source answers fresh', async () => {
    const policy: CachePolicy = { ttlMs: 50, staleMs: 60_000, revalidateWaitMs: 1000 };
    await cache.get('k3', policy, async () => 'old');
    await sleep(100);
    expect(await cache.get('k3', policy, async () => 'new')).toEqual({ value: 'new', stale: false, ageMs: 0 });
  });

  test('concurrent requests for one key share one load', async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      await sleep(50);
      return 'v';
    };
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.get('k4', { ttlMs: 10_000, staleMs: 0 }, load)));
    expect(all.every((a) => a.value === 'v')).toBe(true);
    expect(loads).toBe(1);
  });

  test('getMany loads every miss with one call and answers hits from the cache', async () => {
    const policy: CachePolicy = { ttlMs: 10_000, staleMs: 0 };
    const calls: number[][] = [];
    const loadMany = async (indexes: number[]) => {
      calls.push(indexes);
      return indexes.map((i) => (i === 2 ? new Error('bad field') : `v${i}`));
    };
    const keys = ['m0', 'm1', 'm2'];
    const first = await cache.getMany<string>(keys, policy, loadMany);
    expect(calls).toEqual([[0, 1, 2]]);
    expect(first.slice(0, 2)).toEqual([
      { value: 'v0', stale: false, ageMs: 0 },
      { value: 'v1', stale: false, ageMs: 0 },
    ]);
    expect(first[2]).toBeInstanceOf(Error);
    const second = await cache.getMany<string>(['m1', 'm3', 'm2'], policy, loadMany);
    expect(calls[1]).toEqual([1, 2]); // m3 and m2 (errors are not cached)
    expect(second[0]).toMatchObject({ value: 'v1', stale: false });
  });
});

test('a Redis that cannot be reached is bypassed: every read loads from the source, bounded, and counted', async () => {
  const cache = new ResponseCache({ redisUrl: 'redis://127.0.0.1:1', timeoutMs: 200, onError: () => undefined });
  let loads = 0;
  const policy: CachePolicy = { ttlMs: 10_000, staleMs: 0 };
  expect((await cache.get('x', policy, async () => ++loads)).value).toBe(1);
  expect((await cache.get('x', policy, async () => ++loads)).value).toBe(2);
  expect(cache.stats.errors).toBeGreaterThan(0);
  await cache.close();
});

test('in memory the cache is bounded by bytes, not entries: the least recently used go first', async () => {
  const cache = new ResponseCache({ memoryBytes: 200_000 });
  caches.push(cache);
  const policy: CachePolicy = { ttlMs: 60_000, staleMs: 0 };
  const big = (i: number) => ({ rows: Array.from({ length: 100 }, (_, k) => ({ id: `${i}-${k}`, value: 'x'.repeat(40) })) });
  await cache.get('keep', policy, async () => big(-1));
  let loads = 0;
  for (let i = 0; i < 200; i++) {
    await cache.get(`block-${i}`, policy, async () => (loads++, big(i)));
    // Read 'keep' again and again: it stays the most recently used.
    await cache.get('keep', policy, async () => big(-1));
  }
  expect(loads).toBe(200);
  expect(cache.memory!.bytes).toBeLessThanOrEqual(200_000);
  expect(cache.memory!.size).toBeLessThan(50);
  expect(cache.stats.misses).toBe(201);
  // A value over a quarter of the bound is served but not kept.
  const huge = { text: 'y'.repeat(60_000) };
  await cache.get('huge', policy, async () => huge);
  expect(cache.memory!.has('svr:keep')).toBe(true);
  expect(cache.memory!.has('svr:huge')).toBe(false);
});

test('while a refresh is in flight, requests with a stale entry get it, rather than waiting for the slow source', async () => {
  const cache = new ResponseCache();
  caches.push(cache);
  const policy: CachePolicy = { ttlMs: 0, staleMs: 600_000 };
  await cache.get('slow', policy, async () => 'v1');
  await new Promise((ok) => setTimeout(ok, 2)); // past the time to live of 0 ms
  let release: (v: string) => void = () => undefined;
  const slow = new Promise<string>((ok) => (release = ok));
  let loads = 0;
  const first = await cache.get('slow', policy, () => (loads++, slow));
  expect(first).toMatchObject({ value: 'v1', stale: true });
  // The refresh has not answered; a second request must not wait for it (it would never return before release()).
  const second = await cache.get('slow', policy, async () => (loads++, 'unused'));
  expect(second).toMatchObject({ value: 'v1', stale: true });
  expect(loads).toBe(1);
  release('v2');
  await slow;
  await new Promise((ok) => setImmediate(ok));
  expect((await cache.get('slow', { ttlMs: 600_000, staleMs: 0 }, async () => 'unused')).value).toBe('v2');
});
