/**
 * Alerts against real components: a store written block by block, a gateway
 * polling it, a graphql-ws subscriber, a webhook receiver on loopback, and the
 * alert state in SQLite across a restart.
 *
 * The rule: gmx-v1/arbitrum-one's ratio below 1, clearing above 1.1. By hand
 * (ratio = collateral / 1000 of open interest): block 1 1.2 (nothing), block 2
 * 0.9 (fires), then 1.05, 0.95, 1.05 (inside the band: nothing), then 1.15 (resolves).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { clearAtOf } from '../../server/alerts';
import { startServer, type RunningServer } from '../../server/gateway';
import { ConfigError, loadConfig } from '../../server/gateway/config';
import { post } from './demo-stack';
import { Subscriber, until, wsClient } from './live-client';
import { LiveStore } from './live-store';
import { WebhookReceiver } from './webhook-receiver';

const SECRET = 'test-webhook-secret';
const TOKEN = 'test-alerts-token';
const ENV = { SVR_TEST_HOOK_SECRET: SECRET, SVR_TEST_ALERTS_TOKEN: TOKEN };

/** A mutation with the alert API's bearer token. */
async function mutate(url: string, query: string, variables?: Record<string, unknown>, token: string | null = TOKEN) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) });
  return (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

const RATIO = `subscription { ratioUpdated { block { number } snapshot { ratio } } }`;
const ALERTS = `subscription { alertEvents { id state value threshold protocol network block { number hash } rule { id kind threshold clearAt origin } message acknowledged provenance { methodologyVersion query parameters reads { protocol network deployment blockNumber blockHash timestamp } record digest } } }`;

function writeConfig(dir: string, hookUrl: string): string {
  const file = join(dir, 'svr.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      subscriptions: { headPollMs: 50 },
      alerts: {
        apiTokenEnv: 'SVR_TEST_ALERTS_TOKEN',
        rules: [{ id: 'gmx-arb-ratio', kind: 'RATIO_BELOW', protocol: 'gmx-v1', network: 'arbitrum-one', threshold: '1', clearAt: '1.1' }],
        webhooks: [{ id: 'ops', url: hookUrl, secretEnv: 'SVR_TEST_HOOK_SECRET', initialBackoffMs: 20, maxBackoffMs: 200, maxAttempts: 5 }],
      },
    }),
  );
  return file;
}

describe('alerts: webhook, subscription, restart, hysteresis', () => {
  let dir: string;
  let store: LiveStore;
  let receiver: WebhookReceiver;
  let gateway: RunningServer | null = null;
  let configFile: string;
  const clients: Array<{ dispose(): unknown }> = [];

  const start = async () => {
    gateway = await startServer({ dataDir: dir, port: 0, host: '127.0.0.1', config: loadConfig({ file: configFile, env: ENV }), logger: pino({ level: 'silent' }) });
    const ratio = new Subscriber(wsClient(gateway.url), RATIO);
    const alerts = new Subscriber(wsClient(gateway.url), ALERTS);
    clients.push(ratio.client, alerts.client);
    return { gateway, ratio, alerts };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-alerts-'));
    store = new LiveStore(dir);
    receiver = await new WebhookReceiver(SECRET, 2).start();
    configFile = writeConfig(dir, receiver.url);
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await gateway?.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('fires once at the crossing block, to the subscriber and the webhook (signed, retried, one event id); survives a restart without firing again; hovering inside the band does not flap', async () => {
    store.write('1200', '600', '400');
    let { gateway: g, ratio, alerts } = await start();
    await ratio.next('block 1', (e) => e.ratioUpdated.block.number === 1);
    const crossing = store.write('900', '600', '400');
    const fired = (await alerts.next('the FIRING event', (e) => e.alertEvents.state === 'FIRING')).alertEvents;
    expect(fired).toMatchObject({
      state: 'FIRING',
      value: '0.9',
      threshold: '1',
      protocol: 'gmx-v1',
      network: 'arbitrum-one',
      block: { number: 2, hash: crossing.hash },
      rule: { id: 'gmx-arb-ratio', kind: 'RATIO_BELOW', threshold: '1', clearAt: '1.1', origin: 'config' },
      acknowledged: false,
    });
    // The receiver answers 500 twice, then 200: three attempts, one event id, each signed over its body.
    await receiver.until('third attempt', () => receiver.attempts.length >= 3);
    expect(receiver.attempts.map((a) => [a.eventId, a.attempt, a.status])).toEqual([
      [fired.id, 1, 500],
      [fired.id, 2, 500],
      [fired.id, 3, 200],
    ]);
    expect(receiver.attempts.every((a) => receiver.validSignature(a))).toBe(true);
    expect(JSON.parse(receiver.attempts[2].body)).toMatchObject({ id: fired.id, state: 'FIRING', value: '0.9', block: { number: 2, hash: crossing.hash } });
    // The event carries the provenance of the ratio that crossed (the subscription and the webhook alike), and it replays to that ratio.
    expect(fired.provenance).toMatchObject({ query: 'ratio', reads: [{ protocol: 'gmx-v1', network: 'arbitrum-one', blockNumber: 2, blockHash: crossing.hash }] });
    expect(JSON.parse(receiver.attempts[2].body).provenance).toEqual(fired.provenance);
    const replayed = await post(`${g.url}/graphql`, 'query($r: String!) { replayRatio(record: $r) { ratio blockNumber provenance { digest } } }', { r: fired.provenance.record });
    expect(replayed.data).toEqual({ replayRatio: { ratio: '0.9', blockNumber: 2, provenance: { digest: fired.provenance.digest } } });
    expect(receiver.delivered().map((a) => a.eventId)).toEqual([fired.id]);
    await until('delivery marked delivered', () => g.alerts!.store.deliveries()[0]?.status === 'delivered');
    expect(g.alerts!.store.deliveries()).toEqual([{ eventId: fired.id, webhookId: 'ops', status: 'delivered', attempts: 3, lastError: 'HTTP 500' }]);

    // Acknowledged over HTTP, and an API rule made.
    const anonymous = await mutate(`${g.url}/graphql`, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id acknowledged } }`, { id: fired.id }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const wrong = await mutate(`${g.url}/graphql`, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id acknowledged } }`, { id: fired.id }, 'not-the-token');
    expect(wrong.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const ack = await mutate(`${g.url}/graphql`, `mutation($id: ID!) { acknowledgeAlert(id: $id) { id acknowledged } }`, { id: fired.id });
    expect(ack.data).toEqual({ acknowledgeAlert: { id: fired.id, acknowledged: true } });
    const made = await mutate(`${g.url}/graphql`, `mutation { createAlertRule(input: { kind: BUFFER_BELOW, protocol: "gmx-v1", network: "arbitrum-one", threshold: "-500", clearAt: "0" }) { id kind threshold clearAt origin } }`);
    expect(made.data?.createAlertRule).toMatchObject({ kind: 'BUFFER_BELOW', threshold: '-500', clearAt: '0', origin: 'api' });
    const refused = await mutate(`${g.url}/graphql`, `mutation { createAlertRule(input: { kind: RATIO_BELOW, protocol: "gmx-v1", threshold: "1", clearAt: "0.9" }) { id } }`);
    expect(refused.errors?.[0]?.message).toMatch(/input\.clearAt must be above threshold/);

    // Restart: the state file keeps the event, its acknowledgement, the API rule and the FIRING state.
    for (const c of clients.splice(0)) await c.dispose();
    await g.close();
    gateway = null;
    ({ gateway: g, ratio, alerts } = await start());
    await ratio.next('block 2 after the restart', (e) => e.ratioUpdated.block.number === 2);
    await g.alerts!.settled();
    const after = await post(`${g.url}/graphql`, `{ alertEvents { id state acknowledged block { number hash } provenance { digest } } firingAlerts { id } alertRules { id origin } }`);
    expect(after.data).toEqual({
      alertEvents: [{ id: fired.id, state: 'FIRING', acknowledged: true, block: { number: 2, hash: crossing.hash }, provenance: { digest: fired.provenance.digest } }],
      firingAlerts: [{ id: fired.id }],
      alertRules: [
        { id: 'gmx-arb-ratio', origin: 'config' },
        { id: made.data!.createAlertRule.id, origin: 'api' },
      ],
    });
    expect(alerts.events).toEqual([]);
    expect(receiver.attempts).toHaveLength(3);
    // The restarted svr kept the event's record: its digest alone replays the crossing ratio.
    const byDigest = await post(`${g.url}/graphql`, 'query($d: String) { replayRatio(digest: $d) { ratio blockNumber } }', { d: fired.provenance.digest });
    expect(byDigest.data).toEqual({ replayRatio: { ratio: '0.9', blockNumber: 2 } });

    // Inside the band (1 to 1.1): 1.05, 0.95, 1.05 change nothing; 1.15 resolves.
    for (const collateral of ['1050', '950', '1050', '1150']) {
      const b = store.write(collateral, '600', '400');
      await ratio.next(`block ${b.number}`, (e) => e.ratioUpdated.block.number === b.number);
    }
    const resolved = (await alerts.next('the RESOLVED event', (e) => e.alertEvents.state === 'RESOLVED')).alertEvents;
    expect(resolved).toMatchObject({ state: 'RESOLVED', value: '1.15', threshold: '1.1', block: { number: 6 } });
    await g.alerts!.settled();
    const history = await post(`${g.url}/graphql`, `{ alertEvents { state block { number } } firingAlerts { id } }`);
    expect(history.data).toEqual({ alertEvents: [{ state: 'RESOLVED', block: { number: 6 } }, { state: 'FIRING', block: { number: 2 } }], firingAlerts: [] });
    expect(alerts.events.map((e) => e.alertEvents.state)).toEqual(['RESOLVED']);
    await receiver.until('the RESOLVED delivery', () => receiver.delivered().length === 2);
    expect(receiver.delivered().map((a) => a.eventId)).toEqual([fired.id, resolved.id]);
  });
});

describe('alert config', () => {
  const load = (alerts: unknown, env: Record<string, string> = ENV) => {
    const dir = mkdtempSync(join(tmpdir(), 'svr-alert-config-'));
    const file = join(dir, 'svr.config.json');
    writeFileSync(file, JSON.stringify({ alerts }));
    try {
      return loadConfig({ file, env });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  test('errors name the bad key', () => {
    const cases: Array<[unknown, RegExp, Record<string, string>?]> = [
      [{ rules: [{ kind: 'RATIO_ABOVE', threshold: '1' }] }, /alerts\.rules\[0\]\.kind must be one of RATIO_BELOW/],
      [{ rules: [{ kind: 'RATIO_BELOW' }] }, /alerts\.rules\[0\]\.threshold is required/],
      [{ rules: [{ kind: 'RATIO_BELOW', threshold: 1.1 }] }, /alerts\.rules\[0\]\.threshold must be a decimal as a string/],
      [{ rules: [{ kind: 'BUFFER_BELOW', threshold: '0' }] }, /alerts\.rules\[0\]\.clearAt is required when threshold is 0/],
      [{ rules: [{ kind: 'VAR_ABOVE', threshold: '100', clearAt: '200' }] }, /alerts\.rules\[0\]\.clearAt must be below threshold/],
      [{ rules: [{ kind: 'LAG_ABOVE', threshold: '1.5' }] }, /alerts\.rules\[0\]\.threshold of LAG_ABOVE must be a whole number/],
      [{ rules: [{ kind: 'RATIO_BELOW', threshold: '1', colour: 'red' }] }, /alerts\.rules\[0\]\.colour is not a setting/],
      [{ webhooks: [{ url: 'http://127.0.0.1:1/x', secretEnv: 'NOT_SET_ANYWHERE' }] }, /alerts\.webhooks\[0\]\.secretEnv reads the environment variable NOT_SET_ANYWHERE, which is not set/],
      [{ webhooks: [{ url: 'ftp://x', secretEnv: 'SVR_TEST_HOOK_SECRET' }] }, /alerts\.webhooks\[0\]\.url must be an http\(s\) URL/],
      [{ rulez: [] }, /alerts\.rulez is not a setting/],
      [{ apiTokenEnv: 'NOT_SET_ANYWHERE' }, /alerts\.apiTokenEnv reads the environment variable NOT_SET_ANYWHERE, which is not set/],
    ];
    for (const [alerts, message, env] of cases) {
      expect(() => load(alerts, env)).toThrow(ConfigError);
      expect(() => load(alerts, env)).toThrow(message);
    }
  });

  test('defaults: clearAt 5% of the threshold beyond it; count kinds 1 and 1', () => {
    const config = load({
      rules: [
        { id: 'r', kind: 'RATIO_BELOW', threshold: '1.1' },
        { id: 'v', kind: 'VAR_ABOVE', threshold: '1000000' },
        { id: 'b', kind: 'BUFFER_BELOW', threshold: '-200' },
        { id: 'm', kind: 'SOURCE_MISSING' },
      ],
    });
    expect(config.alerts.rules.map((r) => [r.id, r.threshold, r.clearAt])).toEqual([
      ['r', '1.1', null],
      ['v', '1000000', null],
      ['b', '-200', null],
      ['m', '1', null],
    ]);
    // 1.1 + 5% of 1.1; 1,000,000 - 5%; -200 + 5% of 200 (toward the safe side); one good check.
    expect(config.alerts.rules.map((r) => clearAtOf(r).toString())).toEqual(['1.155', '950000', '-190', '1']);
  });
});
