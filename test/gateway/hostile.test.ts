/**
 * The gateway against hostile input, over HTTP on loopback with the demo
 * deployments: every case answers a 4xx with a clear message (never a 5xx),
 * the risk queries' arguments are capped before any work, internal errors
 * answer only a request id, a store that cannot be opened is left out and
 * named in missingSources, and production keeps the subgraph endpoints off
 * the public listener.
 */
import { ApolloServer } from '@apollo/server';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Writable } from 'node:stream';
import type { RunningServer } from '../../server/gateway';
import { internalErrors } from '../../server/gateway/apollo';
import { COST_CAPS } from '../../server/gateway/cost';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

let demo: string;
let gateway: RunningServer;
let url: string;
const started: RunningServer[] = [];
const temp: string[] = [];

beforeAll(async () => {
  demo = await demoDataDir();
  gateway = await startDemoGateway(demo);
  started.push(gateway);
  url = `${gateway.url}/graphql`;
}, 600_000);
afterAll(async () => {
  for (const s of started) await s.close();
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

const expectBadInput = (answer: { status: number; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> }, message: RegExp) => {
  expect(answer.status).toBe(400);
  expect(answer.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  expect(answer.errors![0].message).toMatch(message);
};

describe('risk arguments are capped before any work', () => {
  test('forecast.horizonDays at most 365', async () => {
    expectBadInput(await post(url, '{ forecast(protocol: "gmx-v1", horizonDays: 100000000) { leadingIndicator } }'), /^forecast\(horizonDays\): horizonDays is 100000000; it must be above 0 and at most 365$/);
  });

  test('liquidationCurve at most 1,000 points; step above 0', async () => {
    expectBadInput(await post(url, '{ liquidationCurve(from: -1, to: 1, step: 0.0001) { curves { protocol } } }'), /^liquidationCurve\(from, to, step\): \(to - from\) \/ step \+ 1 is 20001 points; ask for at most 1000/);
    expectBadInput(await post(url, '{ liquidationCurve(step: 0) { curves { protocol } } }'), /^liquidationCurve\(step\): step is 0; it must be above 0$/);
  });

  test('valueAtRisk paths summed over aliases at most 100,000, with variables too', async () => {
    const aliases = Array.from({ length: 30 }, (_, i) => `v${i}: valueAtRisk(paths: $paths) { paths }`).join(' ');
    expectBadInput(await post(url, `query Q($paths: Int) { ${aliases} }`, { paths: 100000 }), new RegExp(`^valueAtRisk\\(paths\\): the request asks for 3000000 paths over all its valueAtRisk fields; at most ${COST_CAPS.valueAtRiskPathsPerRequest}`));
  });

  test('history points at most 10,000; the request total is bounded', async () => {
    expectBadInput(await post(url, '{ history(protocol: "gmx-v1", interval: HOUR, from: 0, to: 2000000000) { timestamp } }'), /^history\(from, to, interval\): that is 555556 points; ask for at most 10000/);
    const stress = Array.from({ length: 130 }, (_, i) => `s${i}: stressTest(scenario: { marketWide: -0.1 }) { scenario }`).join(' ');
    const answer = await post(url, `{ ${stress} }`);
    // graphql-armor's own alias limit (30) or the work bound: a 400 either way, never the work.
    expect(answer.status).toBe(400);
  });
});

describe('bad input answers 4xx with a clear message', () => {
  test('the armor token limit', async () => {
    const answer = await post(url, `{ ${Array.from({ length: 3000 }, () => 'ratios { ratio }').join(' ')} }`);
    expect(answer.status).toBe(400);
    expect(answer.errors![0].message).toMatch(/token/i);
  });

  test('a value nested 3,000 deep is refused before parsing (graphql-js would overflow its stack)', async () => {
    let value = '"gmx-v1"';
    for (let i = 0; i < 3000; i++) value = `[${value}]`;
    const answer = await post(url, `{ ratios(protocols: ${value}) { ratio } }`);
    expect(answer.status).toBe(400);
    expect(answer.errors![0].message).toBe('the query nests brackets more than 40 levels deep; flatten it');
    expect(JSON.stringify(answer)).not.toMatch(/stack/i);
  });

  test('a body over the limit is 413 with a JSON error', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ ratios { ratio } } #${'x'.repeat(200_000)}` }) });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0]).toMatchObject({ extensions: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  test('a malformed URL escape is 400, on /graphql and on /subgraphs', async () => {
    for (const path of ['/graphql?query=%7B%20ratios%20%7B%20ratio%20%7D%20%7D&x=%E0%A4%A', '/subgraphs/name/gmx-v1%E0%A4%A/avalanche', '/%E0%A4%A']) {
      const res = await fetch(gateway.url + path);
      expect(res.status).toBeLessThan(500);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((await res.json()).errors[0].message).toBeTruthy();
    }
  });

  test('the subgraph endpoints: a body over 1 MiB is 413, `_change_block: null` a query error', async () => {
    const sub = `${gateway.subgraphUrl}/subgraphs/name/gmx-v1/avalanche`;
    const big = await fetch(sub, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ _meta { deployment } } #${'x'.repeat(1 << 20)}` }) });
    expect(big.status).toBe(413);
    const res = await fetch(sub, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ protocols(where: { _change_block: null }) { id } }' }) });
    expect(res.status).toBe(200);
    expect((await res.json()).errors[0].message).toMatch(/BlockChangedFilter/);
  });

});

test('an internal error is logged with the request id; the answer carries only the id', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) }));
  const apollo = new ApolloServer<any>({
    typeDefs: 'type Query { boom: Int, fine: Int }',
    resolvers: { Query: { boom: () => { throw new Error('secret detail at /srv/svr/store.sqlite'); }, fine: () => 1 } },
    plugins: [internalErrors(logger)],
    includeStacktraceInErrorResponses: true,
  });
  await apollo.start();
  try {
    const res = await apollo.executeOperation({ query: '{ boom fine }' }, { contextValue: { requestId: 'req-42' } });
    const body = res.body.kind === 'single' ? res.body.singleResult : null;
    expect(body!.data).toEqual({ boom: null, fine: 1 });
    expect(body!.errors).toEqual([{ message: 'internal error; the server log has its details under request id req-42', path: ['boom'], extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' } }]);
    expect(JSON.stringify(body)).not.toMatch(/secret|stacktrace/);
    expect(lines.join('')).toMatch(/"requestId":"req-42".*secret detail/);
  } finally {
    await apollo.stop();
  }
});

test('a store that cannot be opened is named in the log, left out, and listed in missingSources', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-broken-'));
  temp.push(dir);
  for (const key of ['gmx-v1/avalanche', 'gmx-v1/arbitrum-one']) {
    const [subgraph, network] = key.split('/');
    mkdirSync(join(dir, subgraph), { recursive: true });
    copyFileSync(join(demo, subgraph, `${network}.sqlite`), join(dir, subgraph, `${network}.sqlite`));
  }
  const broken = join(dir, 'gmx-v1', 'arbitrum-one.sqlite');
  truncateSync(broken, Math.floor(statSync(broken).size / 2));
  const lines: string[] = [];
  const { startServer } = await import('../../server/gateway');
  const { loadConfig } = await import('../../server/gateway/config');
  const running = await startServer({
    dataDir: dir,
    port: 0,
    host: '127.0.0.1',
    config: loadConfig({ env: {} }),
    logger: pino({ level: 'warn' }, new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) })),
  });
  started.push(running);
  expect(lines.join('')).toContain(broken);
  expect(running.deployments.unavailable().map((s) => s.path)).toEqual([broken]);
  const answer = await post(`${running.url}/graphql`, '{ aggregate(protocols: ["gmx-v1"]) { complete missingSources } ratios { network } }');
  expect(answer.status).toBe(200);
  expect(answer.data!.aggregate).toEqual({ complete: false, missingSources: ['gmx-v1/arbitrum-one'] });
  expect(answer.data!.ratios).toEqual([{ network: 'avalanche' }]);
  const res = await fetch(`${running.url}/subgraphs/name/gmx-v1/arbitrum-one?query=${encodeURIComponent('{ _meta { deployment } }')}`);
  expect(res.status).toBe(503);
  expect((await res.json()).errors[0].message).toContain(`cannot be served: ${broken} cannot be opened as an svr store`);
  expect(readdirSync(join(dir, 'gmx-v1'))).toContain('arbitrum-one.sqlite');
});

test('"subgraphEndpoints": "loopback" (the production default) keeps /subgraphs off the public listener; the gateway still reads them', async () => {
  const { loadConfig } = await import('../../server/gateway/config');
  expect(loadConfig({ env: { NODE_ENV: 'production' } }).subgraphEndpoints).toBe('loopback');
  expect(loadConfig({ env: {} }).subgraphEndpoints).toBe('public');
  const running = await startDemoGateway(demo, { subgraphEndpoints: 'loopback' });
  started.push(running);
  expect(running.subgraphUrl).not.toBe(running.url);
  const hidden = await fetch(`${running.url}/subgraphs/name/gmx-v1/avalanche?query=${encodeURIComponent('{ _meta { deployment } }')}`);
  expect(hidden.status).toBe(404);
  const inside = await fetch(`${running.subgraphUrl}/subgraphs/name/gmx-v1/avalanche?query=${encodeURIComponent('{ _meta { block { number } } }')}`);
  expect(inside.status).toBe(200);
  const answer = await post(`${running.url}/graphql`, '{ aggregate { complete } }');
  expect(answer.data!.aggregate.complete).toBe(true);
});

describe('lanes and per-client bounds', () => {
  test('every pool starts with the server; the gateway reads in its own lane, the public /subgraphs in the public lane', async () => {
    const pools = { readers: gateway.readers, publicReaders: gateway.publicReaders!, risk: gateway.risk };
    for (const pool of Object.values(pools)) expect(pool.stats.workersStarted).toBeGreaterThanOrEqual(pool.size);
    expect(gateway.gatewayReadsUrl).not.toBe(gateway.subgraphUrl);
    const before = { readers: pools.readers.stats.completed, publicReaders: pools.publicReaders.stats.completed };
    const answer = await post(url, '{ aggregate(protocols: ["gmx-v1"], networks: ["avalanche"]) { complete openInterestUSD } }');
    expect(answer.data!.aggregate.complete).toBe(true);
    expect(pools.readers.stats.completed).toBeGreaterThan(before.readers);
    expect(pools.publicReaders.stats.completed).toBe(before.publicReaders);
    const read = pools.readers.stats.completed;
    const res = await fetch(`${gateway.subgraphUrl}/subgraphs/name/gmx-v1/avalanche?query=${encodeURIComponent('{ _meta { block { number } } }')}`);
    expect(res.status).toBe(200);
    expect(pools.publicReaders.stats.completed).toBe(before.publicReaders + 1);
    expect(pools.readers.stats.completed).toBe(read);
  });

  test('a client past its rate gets 429 with Retry-After at /graphql, /subgraphs and a malformed URL; /health and the gateway\'s own reads are not counted', async () => {
    // Two requests at once, then one per 1,000 s: the third is refused whatever the machine's speed.
    const running = await startDemoGateway(demo, { clients: { requestsPerSecond: 0.001, burst: 2, maxDelayMs: 0 } });
    started.push(running);
    const answer = await post(`${running.url}/graphql`, '{ aggregate { complete } }');
    // It read every deployment through the gateway's own listener, none of which counted.
    expect(answer.data!.aggregate.complete).toBe(true);
    for (let i = 0; i < 3; i++) expect((await fetch(`${running.url}/health`)).status).toBe(200);
    const sub = await fetch(`${running.subgraphUrl}/subgraphs/name/gmx-v1/avalanche?query=${encodeURIComponent('{ _meta { deployment } }')}`);
    expect(sub.status).toBe(200);
    for (const refused of [
      await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ratios { ratio } }' }) }),
      await fetch(`${running.subgraphUrl}/subgraphs/name/gmx-v1/avalanche?query=${encodeURIComponent('{ _meta { deployment } }')}`),
      // Counted before anything is done with it: a malformed URL is not a way around the bound.
      await fetch(`${running.url}/subgraphs/name/gmx-v1%E0%A4%A/avalanche`),
    ]) {
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await refused.json()).errors[0]).toMatchObject({ extensions: { code: 'RATE_LIMITED' }, message: expect.stringMatching(/^127\.0\.0\.1 sends more than 0\.001 requests a second \(2 at once\)/) });
    }
    expect(running.clientRate.stats.refused).toBe(3);
  });
});
