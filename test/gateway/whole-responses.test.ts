/**
 * The whole-answer cache over the real embedded stack: the same question over
 * the same blocks reads no source at all (counted by httpStats), a new block
 * indexed on a source it reads is a miss, and answers with errors are never
 * kept. The rules for `complete: false` and the key are checked directly.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { WholeResponses, type HttpAnswer } from '../../server/gateway/whole-responses';
import { buildSubgraph } from '../../server/compile/graph-build';
import { indexFiles } from '../../server/indexer/index-files';
import { storePath } from '../../server/indexer/deployment';
import { SqliteStore } from '../../server/store/sqlite-store';
import { DEFAULT_READER_OPTIONS, httpStats, ResponseCache, SourceRegistry, Sources } from '../../server/sources';
import { loadConfig } from '../../server/gateway/config';
import { demoDataDir, startDemoGateway } from './demo-stack';

const SUBGRAPHS = resolve(__dirname, '../../subgraph');

async function ask(url: string, query: string, variables?: Record<string, unknown>): Promise<{ cache: string | null; body: any }> {
  const res = await fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { cache: res.headers.get('x-svr-cache'), body: await res.json() };
}

describe('over the demo stack', () => {
  let work: string;
  let server: RunningServer;
  let stillHead: RunningServer;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'svr-answers-'));
    cpSync(await demoDataDir(), join(work, 'data'), { recursive: true });
    const base = loadConfig({ env: {} });
    // Heads kept for a minute: a second question within it reads nothing (no clock in the count).
    stillHead = await startDemoGateway(join(work, 'data'), { reader: { ...base.reader, head: { ttlMs: 600_000, staleMs: 0 } } });
    // Heads read every time: a new block shows at once.
    server = await startDemoGateway(join(work, 'data'), { reader: { ...base.reader, head: { ttlMs: 0, staleMs: 0 } } });
  });
  afterAll(async () => {
    await stillHead?.close();
    await server?.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('a second identical question makes no upstream read, however it is spaced, commented or its variables ordered', async () => {
    const query = 'query R($n: [String!], $p: [String!]) { ratios(networks: $n, protocols: $p) { protocol network ratio collateralUSD blockNumber complete } }';
    const variables = { n: ['optimism', 'avalanche'], p: ['aave-v3', 'gmx-v1'] };
    const first = await ask(stillHead.url, query, variables);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.ratios.length).toBe(3);
    expect(first.cache).toBe('stored');
    const before = httpStats.requests;
    const again = await ask(stillHead.url, query, variables);
    expect(httpStats.requests - before).toBe(0);
    expect(again).toEqual({ cache: 'hit', body: first.body });
    const respaced = await ask(
      stillHead.url,
      `# the same question\nquery R($n: [String!], $p: [String!]) {\n  ratios(networks: $n, protocols: $p) {\n    protocol network ratio collateralUSD blockNumber complete\n  }\n}`,
      { p: variables.p, n: variables.n },
    );
    expect(respaced).toEqual({ cache: 'hit', body: first.body });
    expect(httpStats.requests - before).toBe(0);
    // Other variables are another question, computed (from the sources' cached reads) and kept.
    const other = await ask(stillHead.url, query, { n: ['optimism'] });
    expect(other.cache).toBe('stored');
    expect(other.body.data.ratios.map((r: { network: string }) => r.network)).toEqual(['optimism', 'optimism']);
  });

  test('a new block indexed on a source the answer read is a miss, with the new block in the answer', async () => {
    const query = '{ ratio(protocol: "synthetix-perps-v2", network: "optimism") { ratio blockNumber } aave: ratio(protocol: "aave-v3", network: "mainnet") { blockNumber } }';
    const first = await ask(server.url, query);
    expect(first.body.errors).toBeUndefined();
    const before = httpStats.requests;
    const same = await ask(server.url, query);
    expect(same).toEqual({ cache: 'hit', body: first.body });
    // Only the two sources' heads were read (their time to live is 0 here), nothing else.
    expect(httpStats.requests - before).toBe(2);

    // One more block on synthetix-perps-v2/optimism, without logs.
    const path = storePath(join(work, 'data'), 'synthetix-perps-v2', 'optimism');
    const store = SqliteStore.openExisting(path);
    const head = store.block(store.head()!.number)!;
    store.close();
    const hex = (n: number) => `0x${n.toString(16)}`;
    const next = { number: hex(head.number + 1), hash: `0x${'ab'.repeat(32)}`, parentHash: head.hash, timestamp: hex(head.timestamp + 2) };
    writeFileSync(join(work, 'next.blocks.ndjson'), JSON.stringify(next) + '\n');
    writeFileSync(join(work, 'next.logs.ndjson'), '');
    const manifestPath = buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'synthetix-perps-v2'), network: 'optimism', sourceRoot: SUBGRAPHS });
    await indexFiles({ manifestPath, subgraph: 'synthetix-perps-v2', dataDir: join(work, 'data'), logsPath: join(work, 'next.logs.ndjson'), blocksPath: join(work, 'next.blocks.ndjson') });

    const after = await ask(server.url, query);
    expect(after.cache).toBe('stored');
    expect(after.body.data.ratio.blockNumber).toBe(head.number + 1);
    expect(after.body.data.aave).toEqual(first.body.data.aave);
    expect((await ask(server.url, query)).cache).toBe('hit');
  });

  test('an answer with errors is not kept', async () => {
    const query = '{ ratio(protocol: "gmx-v1", network: "mainnet") { ratio } }';
    const first = await ask(stillHead.url, query);
    expect(first.body.errors?.[0]?.message).toMatch(/gmx-v1 has no deployment on "mainnet"/);
    expect(first.cache).toBe('not-stored');
    expect((await ask(stillHead.url, query)).cache).toBe('not-stored');
  });

  test('/metrics counts where answers came from', async () => {
    const metrics = await (await fetch(`${stillHead.url}/metrics`)).text();
    expect(metrics).toMatch(/svr_gateway_answers\{result="hit"\} [1-9]/);
    expect(metrics).toMatch(/svr_gateway_answers\{result="not_stored"\} [1-9]/);
  });
});

describe('what is kept', () => {
  // No sources: the answers below read none, so only their own content decides.
  const sources = new Sources(new SourceRegistry([]), new ResponseCache(), DEFAULT_READER_OPTIONS);
  const answers = new WholeResponses(sources.cache, DEFAULT_READER_OPTIONS.pinned, 10_000);
  const reply = (data: unknown, errors?: unknown): HttpAnswer => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ data, errors }) });

  test('an answer with complete: false anywhere is answered afresh every time', async () => {
    let runs = 0;
    const execute = async () => (runs++, reply({ ratios: [{ complete: true }, { nested: { complete: false } }] }));
    expect((await answers.answer({ query: '{ a: __typename }' }, sources.forRequest(), execute)).source).toBe('not-stored');
    expect((await answers.answer({ query: '{ a: __typename }' }, sources.forRequest(), execute)).source).toBe('not-stored');
    expect(runs).toBe(2);
  });

  test('a complete answer is computed once; a document that does not parse, or a mutation, is not looked up', async () => {
    let runs = 0;
    const execute = async () => (runs++, reply({ ratios: [{ complete: true }] }));
    expect((await answers.answer({ query: '{ b: __typename }' }, sources.forRequest(), execute)).source).toBe('stored');
    expect((await answers.answer({ query: '{b:__typename}' }, sources.forRequest(), execute)).source).toBe('hit');
    expect((await answers.answer({ query: '{ b: __typename', operationName: null }, sources.forRequest(), execute)).source).toBe('bypass');
    expect((await answers.answer({ query: 'mutation { b }' }, sources.forRequest(), execute)).source).toBe('bypass');
    expect(runs).toBe(3);
  });

  test('errors are never kept, and an operation name makes another question', async () => {
    let runs = 0;
    const failing = async () => (runs++, reply({ x: null }, [{ message: 'no' }]));
    expect((await answers.answer({ query: 'query Q { c: __typename }' }, sources.forRequest(), failing)).source).toBe('not-stored');
    const fine = async () => (runs++, reply({ c: 'Query' }));
    expect((await answers.answer({ query: 'query Q { c: __typename }' }, sources.forRequest(), fine)).source).toBe('stored');
    expect((await answers.answer({ query: 'query Q { c: __typename }', operationName: 'Q' }, sources.forRequest(), fine)).source).toBe('stored');
    expect(runs).toBe(3);
  });

  test('another configuration of sources is another question, even in a shared cache', async () => {
    let runs = 0;
    const execute = async () => (runs++, reply({ d: 'Query' }));
    const elsewhere = new Sources(new SourceRegistry([{ protocol: 'gmx-v1', network: 'avalanche', url: 'http://127.0.0.1:9/unused' }]), sources.cache, DEFAULT_READER_OPTIONS);
    expect((await answers.answer({ query: '{ d: __typename }' }, sources.forRequest(), execute)).source).toBe('stored');
    expect((await answers.answer({ query: '{ d: __typename }' }, elsewhere.forRequest(), execute)).source).toBe('stored');
    expect((await answers.answer({ query: '{ d: __typename }' }, elsewhere.forRequest(), execute)).source).toBe('hit');
    expect(runs).toBe(2);
  });
});
