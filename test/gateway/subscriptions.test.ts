/**
 * Subscriptions over WebSocket with a real graphql-ws client: a store written
 * block by block (live-store.ts) while the gateway polls its head; each
 * subscriber receives the snapshot at the new block, with its number and hash.
 *
 * Expected figures by hand (shared pool: ratio = collateral / (long + short)):
 * block 1: 1200 / (600 + 400) = 1.2, buffer 200; block 2: 900 / 1000 = 0.9, buffer -100.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../server/gateway';
import { DEFAULT_SUBSCRIPTIONS, loadConfig } from '../../server/gateway/config';
import { EventChannel } from '../../server/gateway/event-channel';
import type { DeploymentHead, HeadFeed } from '../../server/sources';
import { Subscriber, wsClient } from './live-client';
import { LiveStore } from './live-store';

const RATIO = `subscription($p: [String!]) { ratioUpdated(protocols: $p) { protocol network coalescedHeads block { number hash timestamp deployment } snapshot { ratio bufferUSD collateralUSD openInterestUSD blockNumber protocol network } } }`;

function config(overrides: Partial<typeof DEFAULT_SUBSCRIPTIONS> = {}) {
  const base = loadConfig({ env: {} });
  return { ...base, limits: { ...base.limits, maxDepth: 5 }, subscriptions: { ...base.subscriptions, headPollMs: 50, ...overrides } };
}

describe('subscriptions over graphql-ws, heads polled from the store', () => {
  let dir: string;
  let store: LiveStore;
  let gateway: RunningServer;
  const clients: Array<{ dispose(): unknown }> = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-live-'));
    store = new LiveStore(dir);
    store.write('1200', '600', '400');
    gateway = await startServer({ dataDir: dir, port: 0, host: '127.0.0.1', config: config({ maxConnectionsPerClient: 5, maxSubscriptionsPerConnection: 3 }), logger: pino({ level: 'silent' }) });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await gateway?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('two subscribers receive the update at the written block, its number and hash, computed once per head', async () => {
    const a = new Subscriber(wsClient(gateway.url), RATIO, { p: ['gmx-v1'] });
    const b = new Subscriber(wsClient(gateway.url), RATIO);
    clients.push(a.client, b.client);
    const first = await a.next('the update at block 1', (e) => e.ratioUpdated.block.number === 1);
    expect(first.ratioUpdated).toEqual({
      protocol: 'gmx-v1',
      network: 'arbitrum-one',
      coalescedHeads: 0,
      block: { number: 1, hash: store.hash(1), timestamp: 1_700_000_012, deployment: 'gmx-v1/arbitrum-one' },
      snapshot: { ratio: '1.2', bufferUSD: '200', collateralUSD: '1200', openInterestUSD: '1000', blockNumber: 1, protocol: 'gmx-v1', network: 'arbitrum-one' },
    });
    await b.next('the update at block 1 (second subscriber)', (e) => e.ratioUpdated.block.number === 1);
    const before = gateway.live.computed;
    const written = store.write('900', '600', '400');
    for (const s of [a, b]) {
      const update = await s.next('the update at block 2', (e) => e.ratioUpdated.block.number === 2);
      expect(update.ratioUpdated.block).toEqual({ number: 2, hash: written.hash, timestamp: written.timestamp, deployment: 'gmx-v1/arbitrum-one' });
      expect(update.ratioUpdated.snapshot).toMatchObject({ ratio: '0.9', bufferUSD: '-100', blockNumber: 2 });
    }
    // One computation for block 2, however many subscribe.
    expect(gateway.live.computed - before).toBe(1);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain(`svr_live{kind="snapshots"} ${gateway.live.computed}`);
    expect(metrics).toMatch(/svr_live\{kind="subscriptions"\} 2\b/);
  });

  test('aggregateUpdated carries each deployment block it was computed at', async () => {
    const s = new Subscriber(wsClient(gateway.url), `subscription { aggregateUpdated(protocols: ["gmx-v1"]) { blocks { number hash deployment } snapshot { protocol network ratio bufferUSD complete } } }`);
    clients.push(s.client);
    const head = store.write('1100', '500', '500');
    const update = await s.next(`the aggregate at block ${head.number}`, (e) => e.aggregateUpdated.blocks[0].number === head.number);
    expect(update.aggregateUpdated).toEqual({
      blocks: [{ number: head.number, hash: head.hash, deployment: 'gmx-v1/arbitrum-one' }],
      snapshot: { protocol: 'gmx-v1', network: null, ratio: '1.1', bufferUSD: '100', complete: true },
    });
  });

  test('the same query limits as HTTP, subscriptions only, and unknown names refused', async () => {
    const client = wsClient(gateway.url);
    clients.push(client);
    // Six deep: over this gateway's maxDepth of 5.
    const deep = `subscription { ratioUpdated { snapshot { distanceToInsolvency { provenance { reads { protocol } } } } } }`;
    const aliases = `subscription { ratioUpdated { ${Array.from({ length: 40 }, (_, i) => `a${i}: coalescedHeads`).join(' ')} } }`;
    const query = `query { protocols { id } }`;
    const unknown = `subscription { ratioUpdated(protocols: ["nope"]) { coalescedHeads } }`;
    const got = await Promise.all([deep, aliases, query, unknown].map((q) => new Subscriber(client, q).failure(q)));
    expect(JSON.stringify(got[0])).toMatch(/depth/i);
    expect(JSON.stringify(got[1])).toMatch(/aliases/i);
    expect(JSON.stringify(got[2])).toMatch(/subscriptions only/);
    expect(JSON.stringify(got[3])).toMatch(/unknown protocol \\"nope\\"/);
  });

  test('subscriptions per connection are bounded, and a completed one frees its slot', async () => {
    const client = wsClient(gateway.url);
    clients.push(client);
    const q = `subscription { ratioUpdated { coalescedHeads } }`;
    const held = [new Subscriber(client, q), new Subscriber(client, q), new Subscriber(client, q)];
    const fourth = new Subscriber(client, q);
    expect(JSON.stringify(await fourth.failure('the fourth subscription refused'))).toMatch(/TOO_MANY_SUBSCRIPTIONS/);
    expect(held.every((h) => h.errors.length === 0)).toBe(true);
    held[0].stop();
    const head = store.write('1000', '500', '500');
    const fifth = new Subscriber(client, `subscription { ratioUpdated { block { number } } }`);
    await fifth.next(`an update on the freed slot`, (e) => e.ratioUpdated.block.number >= head.number);
  });

  test('connections per client are bounded at the upgrade', async () => {
    // maxConnectionsPerClient is 5 here; earlier tests hold some open, so open until refused, at most 6.
    const opened: WebSocket[] = [];
    let refused: string | null = null;
    for (let i = 0; i < 6 && refused === null; i++) {
      const ws = new WebSocket(`${gateway.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      refused = await new Promise<string | null>((resolve) => {
        ws.once('open', () => resolve(null));
        ws.once('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
        ws.once('error', (e) => resolve(e.message));
      });
      opened.push(ws);
    }
    expect(refused).toBe('503');
    expect(gateway.subscriptions.stats().connections).toBeLessThanOrEqual(5);
    for (const ws of opened) ws.terminate();
  });
});

describe('coalescing', () => {
  test('heads that arrive while one is computed become one computation at the newest, which says how many it skipped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svr-live-'));
    const store = new LiveStore(dir);
    const blocks = [store.write('1200', '600', '400'), store.write('1300', '600', '400'), store.write('1400', '600', '400'), store.write('1500', '600', '400')];
    const listeners = new Set<(h: DeploymentHead) => void>();
    // A head feed as a follower gives one: told by the writer, not polled.
    const heads: HeadFeed = { subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) };
    const gateway = await startServer({ dataDir: dir, port: 0, host: '127.0.0.1', config: config(), heads, logger: pino({ level: 'silent' }) });
    const client = wsClient(gateway.url);
    try {
      const s = new Subscriber(client, RATIO);
      // Wait for the subscription to be registered with the live figures (the gateway's own listener, which drops
      // the deployment's cached head on each one, subscribed at start).
      const atStart = listeners.size;
      for (let i = 0; i < 600 && listeners.size === atStart; i++) await new Promise((ok) => setTimeout(ok, 50));
      expect(listeners.size).toBe(atStart + 1);
      const emit = (b: (typeof blocks)[number]) => {
        for (const l of listeners) l({ protocol: 'gmx-v1', network: 'arbitrum-one', number: b.number, hash: b.hash, timestamp: b.timestamp });
      };
      const before = gateway.live.computed;
      for (const b of blocks) emit(b); // four heads in one tick: the first is computed, the other three wait and coalesce
      const last = await s.next('the update at block 4', (e) => e.ratioUpdated.block.number === 4);
      expect(last.ratioUpdated.coalescedHeads).toBe(2);
      expect(last.ratioUpdated.snapshot.ratio).toBe('1.5');
      expect(s.events.map((e) => e.ratioUpdated.block.number)).toEqual([1, 4]);
      expect(gateway.live.computed - before).toBe(2);
    } finally {
      await client.dispose();
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a slow consumer', () => {
  test('is dropped once it falls maxQueuedEvents behind, not buffered', () => {
    let dropped = 0;
    let closed = 0;
    const c = new EventChannel<number>(2, () => dropped++, () => closed++);
    c.push(1);
    c.push(2);
    expect(dropped).toBe(0);
    c.push(3);
    expect({ dropped, closed, isClosed: c.isClosed }).toEqual({ dropped: 1, closed: 1, isClosed: true });
    c.push(4);
    expect(dropped).toBe(1);
  });
});
