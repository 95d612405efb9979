/**
 * Reading a source over HTTP against a recording fake graph-node on loopback:
 * retries and error codes, one request per tick of batched root fields,
 * head pinning by hash, and id_gt pagination.
 */
import { createServer, type Server } from 'node:http';
import { ResponseCache, SourceError, Sources, SourceRegistry, postGraphQL, type SourceDefinition } from '../../server/sources';

interface Received {
  url: string;
  query: string;
}
let server: Server;
let base: string;
const received: Received[] = [];
/** Per path: how many requests to fail with 503 before answering. */
const failFirst: Record<string, number> = {};
const ENTITIES = Array.from({ length: 2500 }, (_, i) => ({ id: `0x${i.toString(16).padStart(4, '0')}`, amount: String(i) }));
const HASH = '0x' + 'ab'.repeat(32);

function answerField(field: string): unknown {
  if (field.startsWith('_meta')) return { block: { number: 100, hash: HASH, timestamp: 1_700_000_000 }, hasIndexingErrors: false, deployment: 'Qmfake' };
  const gt = /id_gt: "([^"]+)"/.exec(field)?.[1];
  const first = Number(/first: (\d+)/.exec(field)?.[1] ?? 100);
  return ENTITIES.filter((e) => !gt || e.id > gt).slice(0, first);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c));
    req.on('end', () => {
      const { query } = JSON.parse(body) as { query: string };
      received.push({ url: req.url!, query });
      if ((failFirst[req.url!] ?? 0) > 0) {
        failFirst[req.url!]--;
        res.writeHead(503);
        res.end('busy');
        return;
      }
      if (req.url === '/teapot') {
        res.writeHead(418, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"no"}]}');
        return;
      }
      const data: Record<string, unknown> = {};
      for (const m of query.matchAll(/^\s*(f\d+|_meta): ?(.*)$/gm)) data[m[1]] = answerField(m[1] === '_meta' ? '_meta' : m[2]);
      if (query.startsWith('{ _meta')) data._meta = answerField('_meta');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const a = server.address();
  base = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
});
afterAll(() => server.close());
beforeEach(() => (received.length = 0));

const source = (path: string): SourceDefinition => ({ protocol: 'p', network: 'n', url: `${base}${path}` });
const http = { timeoutMs: 1000, retries: 2, retryDelayMs: 5 };

test('503 is retried with backoff until it answers; a 4xx is not retried', async () => {
  failFirst['/flaky'] = 2;
  const answer = await postGraphQL(source('/flaky'), '{ _meta { block { number } } }', http);
  expect(answer.data).toBeDefined();
  expect(received.filter((r) => r.url === '/flaky')).toHaveLength(3);
  failFirst['/down'] = 10;
  await expect(postGraphQL(source('/down'), '{ x }', http)).rejects.toMatchObject({ code: 'UPSTREAM_HTTP_ERROR', source: 'p/n' });
  expect(received.filter((r) => r.url === '/down')).toHaveLength(3);
  await expect(postGraphQL(source('/teapot'), '{ x }', http)).rejects.toBeInstanceOf(SourceError);
  expect(received.filter((r) => r.url === '/teapot')).toHaveLength(1);
  await expect(postGraphQL({ ...source(''), url: 'http://127.0.0.1:1/x' }, '{ x }', { ...http, retries: 0 })).rejects.toMatchObject({ code: 'UPSTREAM_UNREACHABLE' });
});

test('root fields asked in one tick go out as one request under aliases, pinned to the head block hash', async () => {
  const s = source('/graph');
  const sources = new Sources(new SourceRegistry([s]), new ResponseCache());
  const rs = sources.forRequest();
  const pin = await rs.head(s);
  expect(pin).toMatchObject({ number: 100, hash: HASH, stale: false });
  const [a, b] = await Promise.all([
    rs.fetch(s, `tokens(first: 2, block: { hash: "${pin.hash}" }) { id }`),
    rs.fetch(s, `markets(first: 3, block: { hash: "${pin.hash}" }) { id }`),
  ]);
  expect((a.value as unknown[]).length).toBe(2);
  expect((b.value as unknown[]).length).toBe(3);
  const data = received.filter((r) => !r.query.startsWith('{ _meta'));
  expect(data).toHaveLength(1);
  expect(data[0].query).toMatch(/f0: tokens[\s\S]*f1: markets/);
  // A second request in the head's time to live asks nothing again.
  received.length = 0;
  const again = sources.forRequest();
  await again.head(s);
  await again.fetch(s, `tokens(first: 2, block: { hash: "${pin.hash}" }) { id }`);
  expect(received).toHaveLength(0);
});

test('all() pages by id_gt, never skip, and collects every entity', async () => {
  const s = source('/graph');
  const rs = new Sources(new SourceRegistry([s]), new ResponseCache()).forRequest();
  const pin = await rs.head(s);
  const rows = await rs.all<{ id: string; amount: string }>(s, 'balances', 'amount', pin);
  expect(rows.value.map((r) => r.id)).toEqual(ENTITIES.map((e) => e.id));
  const pages = received.filter((r) => r.query.includes('balances'));
  expect(pages).toHaveLength(3);
  for (const p of pages) {
    expect(p.query).not.toMatch(/skip/);
    expect(p.query).toContain(`block: { hash: "${HASH}" }`);
  }
  expect(pages[1].query).toContain(`id_gt: "${ENTITIES[999].id}"`);
});
