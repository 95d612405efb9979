/**
 * Reading a source over HTTP against a recording fake graph-node on loopback:
 * retries and error codes, one request per tick of batched root fields,
 * head pinning by hash, and id_gt pagination.
 */
import { createServer, type Server } from 'node:http';
import { gzipSync } from 'node:zlib';
import { DEFAULT_READER_OPTIONS, HEAD, ResponseCache, SourceError, Sources, SourceRegistry, postGraphQL, type SourceDefinition } from '../../server/sources';

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
      if (req.url === '/slow') {
        setTimeout(() => res.end('{"data":{}}'), 2_000).unref();
        return;
      }
      if (req.url === '/teapot') {
        res.writeHead(418, { 'content-type': 'application/json' });
        res.end('{"errors":[{"message":"no"}]}');
        return;
      }
      const data: Record<string, unknown> = {};
      const errors: Array<{ message: string; path: string[] }> = [];
      for (const m of query.matchAll(/^\s*(f\d+): ?(.*)$/gm)) {
        if (m[2].startsWith('broken')) errors.push({ message: 'broken is broken', path: [m[1]] });
        else data[m[1]] = answerField(m[2]);
      }
      // `_meta` unaliased: alone (`{ _meta ... }`) or beside fields read at the head.
      if (/^\s*_meta\b/m.test(query) || query.startsWith('{ _meta')) data._meta = answerField('_meta');
      const text = JSON.stringify(errors.length ? { data, errors } : { data });
      if (req.url === '/gzip' && /gzip/.test(String(req.headers['accept-encoding']))) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(text));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(text);
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

test('a compressed answer is read; a slow one times out per attempt; a cancelled one is not retried', async () => {
  const zipped = await postGraphQL(source('/gzip'), '{ _meta { block { number } } }', http);
  expect(zipped.data?._meta).toMatchObject({ block: { number: 100 } });
  await expect(postGraphQL(source('/slow'), '{ x }', { timeoutMs: 50, retries: 1, retryDelayMs: 5 })).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: 'p/n: no answer within 50 ms' });
  expect(received.filter((r) => r.url === '/slow')).toHaveLength(2);
  const cancel = new AbortController();
  const cancelled = postGraphQL(source('/slow'), '{ x }', { timeoutMs: 1000, retries: 2, retryDelayMs: 5 }, cancel.signal);
  setTimeout(() => cancel.abort(), 20);
  await expect(cancelled).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT', message: expect.stringContaining('cancelled') });
  expect(received.filter((r) => r.url === '/slow')).toHaveLength(3);
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

test('reads at the head go out with it: one request with `_meta` and the fields at the latest block, later pages pinned to its hash', async () => {
  const s = source('/graph');
  const sources = new Sources(new SourceRegistry([s]), new ResponseCache());
  const rs = sources.forRequest();
  const [tokens, balances] = await Promise.all([rs.read<unknown[]>(s, HEAD, { name: 'tokens', args: 'first: 2', selection: 'id' }), rs.all<{ id: string }>(s, 'balances', 'amount', HEAD)]);
  expect(tokens.value).toHaveLength(2);
  expect(balances.value.map((r) => r.id)).toEqual(ENTITIES.map((e) => e.id));
  expect(await rs.head(s)).toMatchObject({ number: 100, hash: HASH, stale: false, deployment: 'Qmfake' });
  // The head, the tokens and the first page in one document; the next two pages pinned to the head it read.
  expect(received).toHaveLength(3);
  expect(received[0].query).toMatch(/^query svr_gateway \{\n {2}_meta \{ block \{ number hash timestamp \} hasIndexingErrors deployment \}\n {2}f0: tokens\(first: 2\) \{ id \}\n {2}f1: balances\(first: 1000, orderBy: id, orderDirection: asc\) /);
  for (const page of received.slice(1)) expect(page.query).toContain(`block: { hash: "${HASH}" }`);
  expect(received[1].query).toContain(`id_gt: "${ENTITIES[999].id}"`);
  expect(rs.readSet()).toEqual(new Map([['p/n', expect.objectContaining({ number: 100, hash: HASH })]]));
  // Within the head's time to live another request reads the same from the cache: what came with the head is kept under its hash.
  received.length = 0;
  const again = sources.forRequest();
  const [t2, b2] = await Promise.all([again.read<unknown[]>(s, HEAD, { name: 'tokens', args: 'first: 2', selection: 'id' }), again.all<{ id: string }>(s, 'balances', 'amount', HEAD)]);
  expect(t2.value).toEqual(tokens.value);
  expect(b2.value).toEqual(balances.value);
  expect(received).toHaveLength(0);
  // ... and a read pinned to that hash is the same entry.
  const pinned = await again.read<unknown[]>(s, await again.head(s), { name: 'tokens', args: 'first: 2', selection: 'id' });
  expect(pinned.value).toEqual(tokens.value);
  expect(received).toHaveLength(0);
});

test('beside the head, a field that fails fails alone; a head that cannot be read fails every read at it', async () => {
  const s = source('/graph');
  const rs = new Sources(new SourceRegistry([s]), new ResponseCache()).forRequest();
  const [ok, broken] = await Promise.allSettled([rs.read(s, HEAD, { name: 'tokens', args: 'first: 1', selection: 'id' }), rs.read(s, HEAD, { name: 'broken', args: '', selection: 'id' })]);
  expect(ok).toMatchObject({ status: 'fulfilled', value: { value: [ENTITIES[0]] } });
  expect(broken).toMatchObject({ status: 'rejected', reason: { code: 'UPSTREAM_QUERY_ERROR', message: 'p/n: broken is broken' } });
  expect(received).toHaveLength(1);
  failFirst['/gone'] = 10;
  const down = source('/gone');
  const rd = new Sources(new SourceRegistry([down]), new ResponseCache(), { ...DEFAULT_READER_OPTIONS, http }).forRequest();
  const reads = await Promise.allSettled([rd.read(down, HEAD, { name: 'tokens', args: 'first: 1', selection: 'id' }), rd.all(down, 'balances', 'amount', HEAD), rd.head(down)]);
  for (const r of reads) expect(r).toMatchObject({ status: 'rejected', reason: { code: 'UPSTREAM_HTTP_ERROR', source: 'p/n' } });
  // One document, tried 1 + retries times.
  expect(received.filter((r) => r.url === '/gone')).toHaveLength(3);
  expect(rd.readSet()).toEqual(new Map([['p/n', null]]));
});
