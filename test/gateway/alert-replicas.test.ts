/**
 * Three gateway replicas on loopback sharing the real Redis at REDIS_URL
 * (default 127.0.0.1:6379, a key prefix of this run's own), each with its own
 * alert state file, all reading one store through one embedded gateway. One
 * block crosses the rule: exactly one webhook delivery for the crossing (the
 * replica that claimed it in Redis), and each replica's subscriber hears the
 * event once, with one id on every replica.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { Subscriber, until, wsClient } from './live-client';
import { LiveStore } from './live-store';
import { WebhookReceiver } from './webhook-receiver';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = 'replica-secret';

test('three replicas sharing Redis: one webhook delivery per crossing, one subscription event per subscriber', async () => {
  const { hostname, port } = new URL(REDIS_URL);
  const reachable = await new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: hostname, port: Number(port || 6379) });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
  if (!reachable) throw new Error(`no Redis at ${REDIS_URL}: start one (redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "") or set REDIS_URL`);

  const dir = mkdtempSync(join(tmpdir(), 'svr-replicas-'));
  const store = new LiveStore(join(dir, 'data'));
  store.write('1200', '600', '400');
  const receiver = await new WebhookReceiver(SECRET).start();
  const servers: RunningServer[] = [];
  const clients: Array<{ dispose(): unknown }> = [];
  try {
    const embedded = await startServer({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', config: loadConfig({ env: {} }), logger: pino({ level: 'silent' }) });
    servers.push(embedded);
    const base = loadConfig({ env: {} });
    const prefix = `svr-test-${randomUUID()}:`;
    const replicas: RunningServer[] = [];
    const subscribers: Subscriber[] = [];
    const ratios: Subscriber[] = [];
    for (let i = 0; i < 3; i++) {
      const config = {
        ...base,
        sources: embedded.sources.registry.list(),
        redisUrl: REDIS_URL,
        subscriptions: { ...base.subscriptions, headPollMs: 50 },
        alerts: {
          ...base.alerts,
          stateFile: join(dir, `replica-${i}`, 'alerts.sqlite'),
          redisKeyPrefix: prefix,
          rules: [{ id: 'ratio-below-1', kind: 'RATIO_BELOW' as const, protocol: 'gmx-v1', network: 'arbitrum-one', threshold: '1', clearAt: '1.1', origin: 'config' as const }],
          webhooks: [{ id: 'ops', url: receiver.url, secret: SECRET, ruleIds: null, maxAttempts: 5, initialBackoffMs: 20, maxBackoffMs: 200, timeoutMs: 5_000 }],
        },
      };
      const r = await startServer({ dataDir: join(dir, 'none'), port: 0, host: '127.0.0.1', config, logger: pino({ level: 'silent' }) });
      servers.push(r);
      replicas.push(r);
      const alerts = new Subscriber(wsClient(r.url), `subscription { alertEvents { id state block { number hash } } }`);
      const ratio = new Subscriber(wsClient(r.url), `subscription { ratioUpdated { block { number } } }`);
      clients.push(alerts.client, ratio.client);
      subscribers.push(alerts);
      ratios.push(ratio);
    }
    for (const [i, r] of ratios.entries()) await r.next(`block 1 on replica ${i}`, (e) => e.ratioUpdated.block.number === 1);
    const crossing = store.write('900', '600', '400');
    const events = [];
    for (const [i, s] of subscribers.entries()) events.push((await s.next(`the FIRING event on replica ${i}`, (e) => e.alertEvents.state === 'FIRING')).alertEvents);
    expect(new Set(events.map((e) => e.id)).size).toBe(1);
    expect(events[0].block).toEqual({ number: 2, hash: crossing.hash });
    await receiver.until('delivery', () => receiver.attempts.length >= 1);
    // Every replica has recorded the crossing; then only the claimer holds a delivery, and it was sent once.
    for (const r of replicas) await r.alerts!.settled();
    // The sender marks the delivery once the receiver's answer is in.
    await until('delivery marked delivered', () => replicas.some((r) => r.alerts!.store.deliveries().some((d) => d.status === 'delivered')));
    const owed = replicas.map((r) => r.alerts!.store.deliveries());
    expect(owed.flat()).toEqual([{ eventId: events[0].id, webhookId: 'ops', status: 'delivered', attempts: 1, lastError: null }]);
    expect(receiver.attempts.map((a) => [a.eventId, a.status])).toEqual([[events[0].id, 200]]);
    expect(receiver.validSignature(receiver.attempts[0])).toBe(true);
    // A later block each replica sees tells nobody anything new.
    const calm = store.write('950', '600', '400');
    for (const [i, r] of ratios.entries()) await r.next(`block ${calm.number} on replica ${i}`, (e) => e.ratioUpdated.block.number === calm.number);
    for (const r of replicas) await r.alerts!.settled();
    expect(subscribers.map((s) => s.events.length)).toEqual([1, 1, 1]);
    expect(receiver.attempts).toHaveLength(1);
  } finally {
    for (const c of clients) await c.dispose();
    for (const s of servers.reverse()) await s.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
