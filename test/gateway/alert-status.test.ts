/**
 * SOURCE_MISSING against a real source that goes away: a gateway reads one
 * deployment through a second gateway (its embedded endpoint), which is then
 * closed. The rule's threshold is 2 unreachable checks in a row; the checks
 * are run one by one here (the interval is set past the test's length), so
 * the count is exact.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { Subscriber, wsClient } from './live-client';
import { LiveStore } from './live-store';

test('SOURCE_MISSING fires after threshold unreachable checks in a row, not before', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-alert-status-'));
  new LiveStore(join(dir, 'data')).write('1200', '600', '400');
  const upstream = await startServer({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', config: loadConfig({ env: {} }), logger: pino({ level: 'silent' }) });
  const base = loadConfig({ env: {} });
  const gateway = await startServer({
    dataDir: join(dir, 'gateway'),
    port: 0,
    host: '127.0.0.1',
    config: {
      ...base,
      sources: upstream.sources.registry.list(),
      reader: { ...base.reader, http: { ...base.reader.http, retries: 0, timeoutMs: 2_000 }, head: { ...base.reader.head, ttlMs: 0, staleMs: 0 } },
      alerts: { ...base.alerts, statusIntervalSeconds: 3600, rules: [{ id: 'missing', kind: 'SOURCE_MISSING', protocol: 'gmx-v1', network: null, threshold: '2', clearAt: null, origin: 'config' }] },
    },
    logger: pino({ level: 'silent' }),
  });
  const alerts = new Subscriber(wsClient(gateway.url), `subscription { alertEvents { state protocol network value threshold rule { id kind } } }`);
  let upstreamOpen = true;
  try {
    const service = gateway.alerts!;
    await service.checkStatus(); // waits for the check the gateway ran at start
    await service.checkStatus();
    await service.checkStatus();
    await service.settled();
    expect(service.store.events({ first: 10 })).toEqual([]);
    await upstream.close();
    upstreamOpen = false;
    await service.checkStatus(); // one unreachable check: below the threshold of 2
    await service.settled();
    expect(service.store.events({ first: 10 })).toEqual([]);
    await service.checkStatus(); // the second in a row: fires
    await service.settled();
    const fired = (await alerts.next('the SOURCE_MISSING event', (e) => e.alertEvents.state === 'FIRING')).alertEvents;
    expect(fired).toMatchObject({ state: 'FIRING', protocol: 'gmx-v1', network: 'arbitrum-one', threshold: '2', rule: { id: 'missing', kind: 'SOURCE_MISSING' } });
    expect(fired.value).not.toBe('reachable');
    await service.checkStatus(); // still missing: no second event
    await service.settled();
    expect(service.store.events({ first: 10 }).map((e) => e.state)).toEqual(['FIRING']);
  } finally {
    await alerts.client.dispose();
    await gateway.close();
    if (upstreamOpen) await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * DISTANCE_BELOW through the gateway's own distanceToInsolvency (risk worker
 * pool). By the schema's definition the distance is 0 only when the buffer is
 * negative now: block 1 (collateral 1200, open interest 1000) has no fall in
 * range that makes it negative (down: null, not firing); block 2 (collateral
 * 900) is insolvent now (down: 0 < 0.2, fires at block 2).
 */
test('DISTANCE_BELOW fires at the block whose distance crossed, checked through the risk pool', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-alert-risk-'));
  const store = new LiveStore(dir);
  store.write('1200', '600', '400');
  const base = loadConfig({ env: {} });
  const gateway = await startServer({
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
    config: {
      ...base,
      reader: { ...base.reader, head: { ...base.reader.head, ttlMs: 0, staleMs: 0 } },
      alerts: { ...base.alerts, riskIntervalSeconds: 3600, rules: [{ id: 'distance', kind: 'DISTANCE_BELOW', protocol: 'gmx-v1', network: 'arbitrum-one', threshold: '0.2', clearAt: null, origin: 'config' }] },
    },
    logger: pino({ level: 'silent' }),
  });
  try {
    const service = gateway.alerts!;
    await service.checkRisk(true);
    await service.settled();
    expect(service.store.events({ first: 10 })).toEqual([]);
    const crossing = store.write('900', '600', '400');
    await service.checkRisk(true);
    await service.settled();
    expect(service.store.events({ first: 10 }).map((e) => ({ state: e.state, value: e.value, threshold: e.threshold, block: e.block }))).toEqual([
      { state: 'FIRING', value: '0.000000000', threshold: '0.2', block: { number: 2, hash: crossing.hash, timestamp: crossing.timestamp, deployment: 'gmx-v1/arbitrum-one' } },
    ]);
  } finally {
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * BUFFER_BELOW over an aggregate (a protocol, no network): checked at every
 * aggregateUpdated of gmx-v1. Buffer = collateral - open interest: 1200 - 1000
 * = 200 (nothing), then 900 - 1000 = -100 < 0 (fires, at the one deployment's block).
 */
test('BUFFER_BELOW over an aggregate fires at the block that crossed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-alert-buffer-'));
  const store = new LiveStore(dir);
  store.write('1200', '600', '400');
  const base = loadConfig({ env: {} });
  const gateway = await startServer({
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
    config: {
      ...base,
      subscriptions: { ...base.subscriptions, headPollMs: 50 },
      alerts: { ...base.alerts, rules: [{ id: 'buffer', kind: 'BUFFER_BELOW', protocol: 'gmx-v1', network: null, threshold: '0', clearAt: '50', origin: 'config' }] },
    },
    logger: pino({ level: 'silent' }),
  });
  const aggregate = new Subscriber(wsClient(gateway.url), `subscription { aggregateUpdated(protocols: ["gmx-v1"]) { blocks { number } snapshot { bufferUSD } } }`);
  const alerts = new Subscriber(wsClient(gateway.url), `subscription { alertEvents { state protocol network value threshold block { number hash } } }`);
  try {
    await aggregate.next('the aggregate at block 1', (e) => e.aggregateUpdated.blocks[0].number === 1);
    const crossing = store.write('900', '600', '400');
    const fired = (await alerts.next('the BUFFER_BELOW event', (e) => e.alertEvents.state === 'FIRING')).alertEvents;
    expect(fired).toEqual({ state: 'FIRING', protocol: 'gmx-v1', network: null, value: '-100', threshold: '0', block: { number: 2, hash: crossing.hash } });
    await gateway.alerts!.settled();
    expect(gateway.alerts!.store.events({ first: 10 })).toHaveLength(1);
  } finally {
    await aggregate.client.dispose();
    await alerts.client.dispose();
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
