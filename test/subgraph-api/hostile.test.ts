/**
 * The subgraph API against hostile input and load: every case of issue 13's
 * findings answers a clear error (never a 5xx), limits refuse before reading
 * (work counted in statements and rows, never in seconds), the parse cache
 * stays within its bytes, a query sees one snapshot while blocks are
 * committed beside it, and a store that cannot be opened is named and left
 * out while the others are served.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubgraphServer, DEFAULT_SUBGRAPH_LIMITS, DeploymentRegistry, executeRequest, QUERY_TASK_MODULE, ServedDeployment, type SubgraphLimits } from '../../server/subgraph-api';
import { PARSE_CACHE_BYTES, parseCacheBytes, type QueryWork } from '../../server/subgraph-api/execute';
import { subgraphLimitsFromEnv } from '../../server/subgraph-api/limits';
import { WorkerPool } from '../../server/workers/pool';
import { writeFixture, writeScoreBlocks } from './fixture';

const PATH = '/subgraphs/name/api-fixture/testnet';
let dir: string;
let storePath: string;
let registry: DeploymentRegistry;
let pool: WorkerPool;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svr-hostile-'));
  storePath = writeFixture(dir);
  // Beside the good store: a truncated copy, a file that is not SQLite, and an SQLite file that is no svr store.
  mkdirSync(join(dir, 'broken'));
  copyFileSync(storePath, join(dir, 'broken', 'truncated.sqlite'));
  truncateSync(join(dir, 'broken', 'truncated.sqlite'), Math.floor(statSync(storePath).size / 3));
  writeFileSync(join(dir, 'broken', 'text.sqlite'), 'this is not a database\n'.repeat(200));
  const Database = require('better-sqlite3');
  const other = new Database(join(dir, 'broken', 'other.sqlite'));
  other.exec('CREATE TABLE t (x)');
  other.close();
  const unavailable: string[] = [];
  registry = DeploymentRegistry.scan(dir, { onUnavailable: (s) => unavailable.push(s.path) });
  expect(unavailable.sort()).toEqual(['other', 'text', 'truncated'].map((n) => join(dir, 'broken', `${n}.sqlite`)));
  pool = new WorkerPool({ taskModule: QUERY_TASK_MODULE, size: 1, init: { limits: DEFAULT_SUBGRAPH_LIMITS } });
  server = createSubgraphServer(registry, { pool, limits: DEFAULT_SUBGRAPH_LIMITS });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((ok) => server.close(ok));
  await pool.close();
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(query: string, path = PATH, variables?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json() };
}

const nestedAnd = (depth: number) => {
  let filter = '{ name: "Alice" }';
  for (let i = 0; i < depth; i++) filter = `{ and: [${filter}] }`;
  return `{ accounts(where: ${filter}) { id } }`;
};

describe('each finding answers a clear error, not a 5xx', () => {
  test('queries run in the reader pool answer as before', async () => {
    expect(await post('{ account(id: "a1") { id name } }')).toEqual({ status: 200, body: { data: { account: { id: 'a1', name: 'Alice' } } } });
  });

  test('_change_block: null', async () => {
    const { status, body } = await post('{ accounts(where: { _change_block: null }) { id } }');
    expect(status).toBe(200);
    expect(body.errors[0].message).toMatch(/Failed to decode `BlockChangedFilter` value: `null is not \{number_gte: <block number>\}`/);
  });

  test('`and` nested 2,000 deep, and a flat `or` of 2,000', async () => {
    const deep = await post(nestedAnd(2000));
    expect(deep.status).toBe(200);
    expect(deep.body.errors[0].message).toBe('query nests brackets more than 295 levels deep; flatten it');
    // Within the brackets' bound but past the filter's own.
    const twenty = await post(nestedAnd(20));
    expect(twenty.body.errors[0].message).toBe(`a \`where\` filter nests \`and\`/\`or\`/child filters more than ${DEFAULT_SUBGRAPH_LIMITS.maxFilterDepth} levels deep; flatten it`);
    const wide = await post(`{ accounts(where: { or: [${Array.from({ length: 2000 }, (_, i) => `{ name: "n${i}" }`).join(', ')}] }) { id } }`);
    expect(wide.body.errors[0].message).toMatch(/a `where` filter has 501 conditions, more than the limit of 500/);
    // Within the limits, nesting still works.
    expect((await post(nestedAnd(10))).body).toEqual({ data: { accounts: [{ id: 'a1' }] } });
  });

  test('a malformed URL escape is 400', async () => {
    const res = await fetch(`${base}/subgraphs/name/api-fixture%E0%A4%A/testnet?query=%7B`);
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ extensions: { code: 'BAD_REQUEST' }, message: expect.stringMatching(/malformed/) });
  });

  test('a body over 1 MiB gets 413 with a JSON error, on a connection that still answers', async () => {
    const res = await fetch(base + PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `{ _meta { deployment } } #${'x'.repeat(1 << 20)}` }) });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', error: expect.stringMatching(/larger than 1048576 bytes/) });
  });

  test('the token limit stops parsing', async () => {
    const { status, body } = await post(`{ ${Array.from({ length: 8000 }, (_, i) => `a${i}: _meta { deployment }`).join(' ')} }`);
    expect(status).toBe(200);
    // graphql-js's own wording (its "more that" included).
    expect(body.errors[0].message).toMatch(new RegExp(`^Syntax Error: Document contains more tha[nt] ${DEFAULT_SUBGRAPH_LIMITS.maxTokens} tokens. Parsing aborted.$`));
  });

  test('too many aliases', async () => {
    const { body } = await post(`{ ${Array.from({ length: 300 }, (_, i) => `a${i}: _meta { deployment }`).join(' ')} }`);
    expect(body.errors[0].message).toBe(`query has 300 aliases, more than the limit of ${DEFAULT_SUBGRAPH_LIMITS.maxAliases}; split it into several queries`);
  });

  test('variables that are not an object are 400', async () => {
    const { status } = await post('query Q($id: ID!) { account(id: $id) { id } }', PATH, ['a1']);
    expect(status).toBe(400);
  });
});

describe('limits refuse before reading', () => {
  let dep: ServedDeployment;
  beforeAll(() => {
    dep = ServedDeployment.open(storePath, 'api-fixture', 'testnet');
  });
  afterAll(() => dep.close());
  const run = (query: string, limits: Partial<SubgraphLimits> = {}) => {
    const work: QueryWork = { statements: 0, rows: 0 };
    return { result: executeRequest(dep, { query }, { ...DEFAULT_SUBGRAPH_LIMITS, ...limits }, work), work };
  };

  test("the finding's nested collections: graph-node's complexity error, nothing read", () => {
    const inner = 'accounts(first: 1000) { positions(first: 1000) { account { positions(first: 1000) { id } } } }';
    const { result, work } = run(`{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ${inner}`).join(' ')} }`);
    expect(result.errors![0].message).toBe(
      'query potentially returns `1001001000` entities or more and thereby exceeds the limit of `5000000` entities. ' +
        'Possible solutions are reducing the depth of the query, querying fewer relationships or using `first` to return smaller collections',
    );
    expect(work).toEqual({ statements: 0, rows: 0 });
  });

  test('an `and` nested 2,000 deep on this thread (a 1 MB stack, where graphql-js would overflow it) is refused before parsing', () => {
    let filter = '{ name: "Alice" }';
    for (let i = 0; i < 2000; i++) filter = `{ and: [${filter}] }`;
    const { result, work } = run(`{ accounts(where: ${filter}) { id } }`);
    expect(result.errors![0].message).toBe('query nests brackets more than 295 levels deep; flatten it');
    expect(work.statements).toBe(0);
    // Brackets in strings and comments do not count.
    expect(run(`{ accounts(where: { name: "${'{['.repeat(400)}" }) { id } } # ${'('.repeat(400)}`).result).toEqual({ data: { accounts: [] } });
  });

  test('a fragment bomb (each fragment spreading the next twice, 40 deep) is refused after a bounded expansion, nothing read', () => {
    const fragments: string[] = [];
    for (let k = 0; k < 40; k++) {
      const next = k + 1 < 40 ? `...F${k + 1}` : 'id';
      fragments.push(
        k % 2 === 0
          ? `fragment F${k} on Account { id a: positions(first: 1) { ${next} } b: positions(first: 1) { ${next} } }`
          : `fragment F${k} on Position { id a: account { ${next} } b: account { ${next} } }`,
      );
    }
    const { result, work } = run(`{ accounts(first: 1) { ...F0 } } ${fragments.join(' ')}`);
    expect(result.errors![0].message).toBe(`query selects more than ${5 * DEFAULT_SUBGRAPH_LIMITS.maxTokens} fields once its fragments are expanded; spread fragments fewer times`);
    expect(work).toEqual({ statements: 0, rows: 0 });
  });

  test('depth, in graph-node words', () => {
    const { result, work } = run('{ accounts { positions { account { id } } } }', { maxDepth: 2 });
    expect(result.errors![0].message).toBe('query has a depth that exceeds the limit of `2`');
    expect(work.statements).toBe(0);
  });

  test('first and skip under GRAPH_GRAPHQL_MAX_FIRST / MAX_SKIP', () => {
    const limits = subgraphLimitsFromEnv({ GRAPH_GRAPHQL_MAX_FIRST: '2', GRAPH_GRAPHQL_MAX_SKIP: '1_0' });
    expect(run('{ accounts(first: 3) { id } }', limits).result.errors![0].message).toBe('The `first` argument must be between 0 and 2, but is 3');
    expect(run('{ accounts(first: 1, skip: 11) { id } }', limits).result.errors![0].message).toBe('The `skip` argument must be between 0 and 10, but is 11');
    expect(() => subgraphLimitsFromEnv({ GRAPH_GRAPHQL_MAX_COMPLEXITY: 'lots' })).toThrow(/GRAPH_GRAPHQL_MAX_COMPLEXITY must be a positive whole number, not "lots"/);
    expect(subgraphLimitsFromEnv({ GRAPH_GRAPHQL_QUERY_TIMEOUT: '3' }).queryTimeoutMs).toBe(3000);
  });

  test('the result size stops reading once past GRAPH_GRAPHQL_ERROR_RESULT_SIZE', () => {
    const { result, work } = run('{ accounts { id name tags } positions { id note } }', { errorResultSize: 200 });
    expect(result.errors![0].message).toMatch(/^the result size of \d+ is larger than the allowed limit of 200$/);
    // The first level already passed it: the second root field was never read.
    expect(work.statements).toBe(1);
  });

  test("the finding's 13 distinct 0.95 MB documents add nothing to the parse cache", () => {
    const before = parseCacheBytes();
    for (let i = 0; i < 13; i++) {
      const { result } = run(`{ _meta { deployment } } # ${i} ${'x'.repeat(950_000)}`);
      expect(result).toEqual({ data: { _meta: { deployment: 'QmApiFixture' } } });
    }
    expect(parseCacheBytes()).toBe(before);
  });

  test('prepared statements are bounded by their SQL bytes (filters shape the SQL: every `_in` length is a statement of its own)', () => {
    const { StatementCache } = require('../../server/subgraph-api/fetch');
    const stmts = new StatementCache(dep.db, 2000, 20_000);
    for (let n = 1; n <= 300; n++) {
      stmts.get(`SELECT id FROM "Account" WHERE name IN (${Array(n).fill('?').join(', ')})`);
      expect(stmts.bytes).toBeLessThanOrEqual(20_000);
    }
    // Kept while they fit: the last one is served from the cache.
    const last = `SELECT id FROM "Account" WHERE name IN (${Array(300).fill('?').join(', ')})`;
    expect(stmts.get(last)).toBe(stmts.get(last));
  });

  test('the parse cache keeps to its bytes however many distinct large documents come', () => {
    const filler = (i: number) => `{ accounts(where: { name_in: [${Array.from({ length: 1500 }, (_, k) => `"n${i}-${k}"`).join(',')}] }) { id } }`;
    for (let i = 0; i < 200; i++) run(filler(i));
    expect(parseCacheBytes()).toBeGreaterThan(0);
    expect(parseCacheBytes()).toBeLessThanOrEqual(PARSE_CACHE_BYTES);
  });
});

describe('one snapshot per query while an indexer commits', () => {
  test('a block committed between two reads of one query is not seen by it', () => {
    const dep = ServedDeployment.open(storePath, 'api-fixture', 'testnet');
    try {
      const head = dep.head()!.number;
      const original = dep.stmts.get.bind(dep.stmts);
      let committed = false;
      jest.spyOn(dep.stmts, 'get').mockImplementation((sql: string) => {
        // Commit from another connection once the query has read the head, before it reads the account.
        if (!committed && sql.includes('"Account"')) {
          committed = true;
          writeScoreBlocks(storePath, head + 1, 1);
        }
        return original(sql);
      });
      const result = executeRequest(dep, { query: '{ _meta { block { number } } account(id: "a3") { score } }' });
      expect(committed).toBe(true);
      expect(result).toEqual({ data: { _meta: { block: { number: head } }, account: { score: String(head === 3 ? -5 : head) } } });
      jest.restoreAllMocks();
      // The next query sees the new block, whole.
      expect(executeRequest(dep, { query: '{ _meta { block { number } } account(id: "a3") { score } }' })).toEqual({
        data: { _meta: { block: { number: head + 1 } }, account: { score: String(head + 1) } },
      });
    } finally {
      dep.close();
    }
  });

  test('reads through the reader pool while another thread commits 300 blocks never mix two blocks', async () => {
    const writer = new WorkerPool({ taskModule: require.resolve('./writer-task'), size: 1 });
    try {
      const from = (registry.byPath(PATH)!.head()!.number) + 1;
      const writing = writer.run<number>('writeBlocks', { path: storePath, from, count: 300 });
      let done = false;
      void writing.then(() => (done = true), () => (done = true));
      let reads = 0;
      const seen = new Set<number>();
      // Bounded: at most 3,000 reads, whatever the speed of either side.
      while (!done && reads < 3000) {
        const { body } = await post('{ _meta { block { number } } account(id: "a3") { score } }');
        const block = body.data._meta.block.number;
        expect(body.data.account.score).toBe(String(block));
        seen.add(block);
        reads++;
      }
      expect(await writing).toBe(from + 299);
      expect(reads).toBeGreaterThan(0);
      const { body } = await post('{ _meta { block { number } } account(id: "a3") { score } }');
      expect(body.data).toEqual({ _meta: { block: { number: from + 299 } }, account: { score: String(from + 299) } });
    } finally {
      await writer.close();
    }
  });
});

describe('a store that cannot be opened', () => {
  test('is named by its endpoint, with why; the good store is still served', async () => {
    for (const name of ['truncated', 'text', 'other']) {
      const { status, body } = await post('{ _meta { deployment } }', `/subgraphs/name/broken/${name}`);
      expect(status).toBe(503);
      expect(body.errors[0].extensions.code).toBe('STORE_UNAVAILABLE');
      expect(body.errors[0].message).toContain(`deployment \`broken/${name}\` cannot be served: ${join(dir, 'broken', `${name}.sqlite`)}`);
    }
    expect(registry.unavailable().find((s) => s.network === 'other')!.reason).toMatch(/is not an svr store/);
    expect((await post('{ _meta { deployment } }')).body).toEqual({ data: { _meta: { deployment: 'QmApiFixture' } } });
    expect(readFileSync(join(dir, 'broken', 'text.sqlite'), 'utf8')).toMatch(/^this is not a database/);
  });
});

test('an internal error is logged under the request id; the answer carries only the id', async () => {
  const execute = require('../../server/subgraph-api/execute');
  const pino = require('pino');
  const { Writable } = require('node:stream');
  const lines: string[] = [];
  const logger = pino({ level: 'error' }, new Writable({ write: (c: Buffer, _e: string, done: () => void) => (lines.push(String(c)), done()) }));
  const inline = createSubgraphServer(registry, { logger });
  await new Promise<void>((ok) => inline.listen(0, '127.0.0.1', ok));
  const spy = jest.spyOn(execute, 'executeRequest').mockImplementation(() => {
    throw new Error('SQLITE_CORRUPT at /srv/secret/path.sqlite');
  });
  try {
    const res = await fetch(`http://127.0.0.1:${(inline.address() as AddressInfo).port}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'abc-123' },
      body: JSON.stringify({ query: '{ _meta { deployment } }' }),
    });
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body).toEqual({ errors: [{ message: 'internal error; the server log has its details under request id abc-123', extensions: { code: 'INTERNAL_SERVER_ERROR', requestId: 'abc-123' } }] });
    expect(lines.join('')).toMatch(/"requestId":"abc-123".*SQLITE_CORRUPT at \/srv\/secret\/path.sqlite/);
  } finally {
    spy.mockRestore();
    await new Promise((ok) => inline.close(ok));
  }
});
