/**
 * The gateway when sources fail, over HTTP on loopback: upstreams that answer
 * 500, hang, or return malformed JSON beside real embedded ones; stale answers
 * from the cache while a source is down; the overall request deadline; and the
 * protection limits, production mode and CORS.
 */
import { createServer, type Server } from 'node:http';
import pino from 'pino';
import { startServer, type RunningServer } from '../../server/gateway';
import { loadConfig, type GatewayConfig } from '../../server/gateway/config';
import type { SourceDefinition } from '../../server/sources';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

let embedded: RunningServer;
let bad: Server;
let badUrl: string;
/** When false, /switch answers 500; when true it passes requests on to the embedded gmx-v1/avalanche endpoint. */
let switchHealthy = true;
const started: RunningServer[] = [];

beforeAll(async () => {
  embedded = await startDemoGateway(await demoDataDir());
  bad = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', async () => {
      if (req.url === '/500') {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('upstream exploded');
      } else if (req.url === '/malformed') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"data": {"protocols": [');
      } else if (req.url === '/switch' && switchHealthy) {
        const upstream = await fetch(`${embedded.url}/subgraphs/name/gmx-v1/avalanche`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(await upstream.text());
      } else if (req.url === '/switch') {
        res.writeHead(503);
        res.end('down');
      }
      // /hang: never answers
    });
  });
  await new Promise<void>((ok) => bad.listen(0, '127.0.0.1', ok));
  const address = bad.address();
  badUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}, 600_000);

afterAll(async () => {
  for (const s of started) await s.close();
  await embedded?.close();
  bad?.closeAllConnections();
  bad?.close();
});

async function gatewayWith(sources: SourceDefinition[], overrides: (c: GatewayConfig) => GatewayConfig = (c) => c): Promise<string> {
  const base = loadConfig({ env: {} });
  const config = overrides({ ...base, sources, reader: { ...base.reader, http: { timeoutMs: 300, retries: 1, retryDelayMs: 10 } } });
  const running = await startServer({ dataDir: '/nonexistent-svr-data', port: 0, host: '127.0.0.1', config, logger: pino({ level: 'silent' }) });
  started.push(running);
  return `${running.url}/graphql`;
}
const real = (protocol: string, network: string): SourceDefinition => ({ protocol, network, url: `${embedded.url}/subgraphs/name/${protocol}/${network}` });

test('a failing source is left out, named in an error and in missingSources; the others still answer', async () => {
  const url = await gatewayWith([
    real('gmx-v1', 'arbitrum-one'),
    real('synthetix-perps-v2', 'optimism'),
    { protocol: 'gmx-v1', network: 'avalanche', url: `${badUrl}/500` },
    { protocol: 'aave-v3', network: 'mainnet', url: `${badUrl}/hang` },
    { protocol: 'aave-v3', network: 'optimism', url: `${badUrl}/malformed` },
  ]);
  const answer = await post(url, '{ ratios { protocol network ratio } aggregate { complete missingSources collateralUSD } gmx: ratio(protocol: "gmx-v1") { complete missingSources } }');
  expect(answer.status).toBe(200);
  expect(answer.data!.ratios.map((r: any) => `${r.protocol}/${r.network}`)).toEqual(['gmx-v1/arbitrum-one', 'synthetix-perps-v2/optimism']);
  expect(answer.data!.aggregate.complete).toBe(false);
  expect(answer.data!.aggregate.missingSources).toEqual(['aave-v3/mainnet', 'aave-v3/optimism', 'gmx-v1/avalanche']);
  expect(answer.data!.gmx).toEqual({ complete: false, missingSources: ['gmx-v1/avalanche'] });
  const codes = Object.fromEntries(answer.errors!.map((e) => [e.extensions!.source, e.extensions!.code]));
  expect(codes).toEqual({ 'gmx-v1/avalanche': 'UPSTREAM_HTTP_ERROR', 'aave-v3/mainnet': 'UPSTREAM_TIMEOUT', 'aave-v3/optimism': 'UPSTREAM_MALFORMED' });
  for (const e of answer.errors!) expect(e.message.startsWith(`${e.extensions!.source}: `)).toBe(true);
  // The aggregate holds exactly the sources that answered.
  const good = await post(await gatewayWith([real('gmx-v1', 'arbitrum-one'), real('synthetix-perps-v2', 'optimism')]), '{ aggregate { collateralUSD complete } }');
  expect(good.data!.aggregate).toEqual({ collateralUSD: answer.data!.aggregate.collateralUSD, complete: true });
  // A question about the failing deployment alone answers null with its error.
  const single = await post(url, '{ ratio(protocol: "gmx-v1", network: "avalanche") { ratio } }');
  expect(single.data!.ratio).toBeNull();
  expect(single.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', source: 'gmx-v1/avalanche' });
});

test('while a source is down, answers come from the cache marked stale with their age', async () => {
  switchHealthy = true;
  const url = await gatewayWith([{ protocol: 'gmx-v1', network: 'avalanche', url: `${badUrl}/switch` }], (c) => ({
    ...c,
    reader: { ...c.reader, head: { ttlMs: 100, staleMs: 60_000, revalidateWaitMs: 50 } },
  }));
  const query = '{ ratio(protocol: "gmx-v1", network: "avalanche") { collateralUSD blockNumber stale ageSeconds } }';
  const warm = await post(url, query);
  expect(warm.data!.ratio).toMatchObject({ stale: false, ageSeconds: 0 });
  switchHealthy = false;
  await new Promise((ok) => setTimeout(ok, 1100));
  const cold = await post(url, query);
  expect(cold.errors).toBeUndefined();
  expect(cold.data!.ratio).toMatchObject({ collateralUSD: warm.data!.ratio.collateralUSD, blockNumber: warm.data!.ratio.blockNumber, stale: true });
  expect(cold.data!.ratio.ageSeconds).toBeGreaterThanOrEqual(1);
  switchHealthy = true;
});

test('the request deadline cancels a hanging source and answers with the rest', async () => {
  const url = await gatewayWith([real('gmx-v1', 'arbitrum-one'), { protocol: 'aave-v3', network: 'mainnet', url: `${badUrl}/hang` }], (c) => ({
    ...c,
    requestTimeoutMs: 400,
    reader: { ...c.reader, http: { timeoutMs: 60_000, retries: 0, retryDelayMs: 10 } },
  }));
  const answer = await post(url, '{ aggregate { complete missingSources } }');
  expect(answer.data!.aggregate).toEqual({ complete: false, missingSources: ['aave-v3/mainnet'] });
  expect(answer.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_TIMEOUT', source: 'aave-v3/mainnet' });
  expect(answer.errors![0].message).toMatch(/cancelled/);
});

test('depth, alias, cost and size limits refuse abusive requests with clear errors', async () => {
  const url = await gatewayWith([real('gmx-v1', 'arbitrum-one')]);
  const deep = await post(url, '{ protocols { deployments { ratio { markets { network } } } } __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }');
  expect(deep.errors![0].message).toMatch(/depth/i);
  const aliases = await post(url, `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: protocols { id }`).join(' ')} }`);
  expect(aliases.errors![0].message).toMatch(/aliases/i);
  // Every deployment's markets and collateral, many times over: within the alias limit, over a cost limit of 1,000
  // (graphql-armor's estimate: about 63 an alias here).
  const strict = await gatewayWith([real('gmx-v1', 'arbitrum-one')], (c) => ({ ...c, limits: { ...c.limits, maxCost: 1000 } }));
  const costly = await post(strict, `{ ${Array.from({ length: 29 }, (_, i) => `p${i}: protocols { id deployments { network blockNumber ratio { ratio markets { market name ratio } collateral { token amount valueUSD } } } }`).join(' ')} }`);
  expect(costly.errors![0].message).toMatch(/cost/i);
  // What a dashboard asks stays well within it.
  const normal = await post(url, '{ ratios { protocol network ratio markets { market ratio openInterestUSD } collateral { token valueUSD } } aggregate { ratio } }');
  expect(normal.errors).toBeUndefined();
  const big = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ protocols { id } } #${'x'.repeat(200_000)}` }) });
  expect(big.status).toBe(413);
  expect(((await big.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
});

test('production mode refuses introspection; CORS answers only the configured origins', async () => {
  const url = await gatewayWith([real('gmx-v1', 'arbitrum-one')], (c) => ({ ...c, production: true, corsOrigins: ['https://app.example'] }));
  const introspection = await post(url, '{ __schema { types { name } } }');
  expect(introspection.errors![0].message).toMatch(/introspection/i);
  const allowed = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
  expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
  const other = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  const answer = await post(url, '{ ratios { protocol } }');
  expect(answer.data!.ratios).toEqual([{ protocol: 'gmx-v1' }]);
  // Development (the default) lets any origin read.
  const dev = await fetch(await gatewayWith([real('gmx-v1', 'arbitrum-one')]), { method: 'OPTIONS', headers: { origin: 'https://anyone.example' } });
  expect(dev.headers.get('access-control-allow-origin')).toBe('*');
});
