/**
 * The RPC ingest against a node that misbehaves as public endpoints do: a
 * loopback proxy in front of Hardhat's node that refuses wide eth_getLogs
 * ranges and large answers, answers 429 now and then, and stalls a request
 * past the client's timeout. The logs and headers must come out exactly as the
 * node holds them, with the range adapted to the limits.
 */
import { createServer, type Server } from 'node:http';
import { keccak256, toHex } from 'viem';
import { startLocalNode, type LocalNode } from '../../../bench/local-chain';
import { RpcChain } from '../../../server/ingest/rpc/chain';
import { RpcClient, RpcError } from '../../../server/ingest/rpc/client';
import { classifyRefusal, LogRangeSizer, suggestedRange } from '../../../server/ingest/rpc/log-ranges';
import { toRpcLog } from '../../../server/ingest/ndjson';

const EMITTER = '0x00000000000000000000000000000000000e0001';
const OTHER = '0x00000000000000000000000000000000000e0002';
const TOPIC = keccak256(toHex('Thing(uint256)'));
const MAX_RANGE = 40;
const MAX_RESULTS = 15;

let node: LocalNode;
let proxy: Server;
let proxyUrl: string;
let first: number;
let last: number;
const seen = { requests: 0, refusedRange: 0, refusedResults: 0, throttled: 0, stalled: 0 };

beforeAll(async () => {
  node = await startLocalNode();
  await node.installEmitter(EMITTER);
  await node.installEmitter(OTHER);
  first = (await node.blockNumber()) + 1;
  for (let i = 0; i < 60; i++) {
    const logs = Array.from({ length: 1 + (i % 3) }, (_, k) => ({ topics: [TOPIC, toHex(i * 10 + k, { size: 32 })], data: '0x' }));
    await node.emit(i % 7 === 0 ? OTHER : EMITTER, logs);
    // Dense at first, sparse later: the range must shrink, then grow.
    if (i >= 30) await node.mine(9);
  }
  last = await node.blockNumber();

  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      seen.requests++;
      const parsed = JSON.parse(body);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (seen.requests % 5 === 0) {
        seen.throttled++;
        res.writeHead(429, { 'content-type': 'text/plain' });
        return res.end('Too Many Requests');
      }
      if (!Array.isArray(parsed) && parsed.method === 'eth_chainId' && seen.stalled === 0) {
        seen.stalled++;
        await new Promise((r) => setTimeout(r, 1500));
      }
      if (!Array.isArray(parsed) && parsed.method === 'eth_getLogs') {
        const { fromBlock, toBlock } = parsed.params[0];
        if (Number(toBlock) - Number(fromBlock) + 1 > MAX_RANGE) {
          seen.refusedRange++;
          return reply(200, { jsonrpc: '2.0', id: parsed.id, error: { code: -32600, message: `exceed maximum block range: ${MAX_RANGE}` } });
        }
      }
      let upstream: Response;
      let answer;
      try {
        upstream = await fetch(node.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        answer = await upstream.json();
      } catch {
        return res.destroy(); // the node has stopped (a request the client gave up on, answered late)
      }
      if (!Array.isArray(parsed) && parsed.method === 'eth_getLogs' && Array.isArray(answer.result) && answer.result.length > MAX_RESULTS) {
        seen.refusedResults++;
        return reply(200, { jsonrpc: '2.0', id: parsed.id, error: { code: -32005, message: `query returned more than ${MAX_RESULTS} results` } });
      }
      reply(upstream.status, answer);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
}, 240_000);

afterAll(async () => {
  await new Promise((r) => proxy?.close(r));
  await node?.stop();
});

test('adaptive eth_getLogs ranges cover every block exactly once under range and result limits, 429s and a stall', async () => {
  const client = new RpcClient({ url: proxyUrl, callsPerSecond: 0, timeoutMs: 500, baseBackoffMs: 5, maxBackoffMs: 20, maxBatch: 7 });
  const chain = new RpcChain(client, { initial: 1000, max: 5000, sparseLogs: 8 });
  // The stalled request times out and is sent again.
  expect(await client.call('eth_chainId', [])).toBe('0x7a69');

  const filters = [{ addresses: [EMITTER, OTHER], topic0s: [TOPIC] }];
  const collected = [];
  const sizes: number[] = [];
  for (let from = first; from <= last; ) {
    const r = await chain.logs(from, last, filters);
    sizes.push(r.to - from + 1);
    collected.push(...r.logs);
    from = r.to + 1;
  }
  const direct = (await node.rpc<Array<Record<string, unknown>>>('eth_getLogs', [{ fromBlock: toHex(first), toBlock: toHex(last), address: [EMITTER, OTHER], topics: [[TOPIC]] }])).map(
    (l) => `${l.blockHash}:${l.logIndex}:${l.data}:${(l.topics as string[]).join(',')}`,
  );
  expect(collected.map((l) => { const w = toRpcLog(l); return `${w.blockHash}:${w.logIndex}:${w.data}:${w.topics.join(',')}`; })).toEqual(direct);
  expect(direct.length).toBe(120);
  expect(seen.refusedRange).toBeGreaterThan(0);
  expect(seen.refusedResults).toBeGreaterThan(0);
  expect(seen.throttled).toBeGreaterThan(0);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_RANGE);
  // It grew again where the logs thinned out (it does not stay at its smallest).
  const smallest = Math.min(...sizes);
  expect(sizes.lastIndexOf(smallest)).toBeLessThan(sizes.length - 1);
  expect(sizes[sizes.length - 2]).toBeGreaterThan(smallest);
  expect(client.stats.retries).toBeGreaterThan(0);

  // Headers in batches of at most 7 calls, each the node's.
  const numbers = Array.from({ length: 30 }, (_, k) => first + k);
  const before = client.stats.httpRequests;
  const headers = await chain.headers(numbers);
  expect(client.stats.httpRequests - before).toBeGreaterThanOrEqual(5);
  for (const n of [first, first + 29]) {
    const b = await node.rpc<{ hash: string; parentHash: string }>('eth_getBlockByNumber', [toHex(n), false]);
    expect(headers.get(n)!.hash).toBe(b.hash);
    expect(headers.get(n)!.parentHash).toBe(b.parentHash);
  }
  client.close();
}, 120_000);

test('a node that refuses a single block, an unreachable node, and a URL that is none fail with what to do', async () => {
  const refusing = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { id } = JSON.parse(body);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32005, message: 'query returned more than 10000 results' } }));
    });
  });
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(refusing.address() as { port: number }).port}`;
  const chain = new RpcChain(new RpcClient({ url, callsPerSecond: 0 }), { initial: 100 });
  await expect(chain.logs(1, 1000, [{ addresses: [EMITTER], topic0s: [TOPIC] }])).rejects.toThrow(/refuses eth_getLogs even for the single block 1.*use a node without that limit/);
  await new Promise((r) => refusing.close(r));

  // Nothing listens there any more: transport errors, retried, then reported with the URL.
  const gone = new RpcClient({ url, maxAttempts: 2, baseBackoffMs: 1, callsPerSecond: 0 });
  await expect(gone.call('eth_blockNumber', [])).rejects.toThrow(new RegExp(`${url}: ECONNREFUSED`));
  expect(gone.stats.retries).toBe(1);
  expect(() => new RpcClient({ url: 'localhost:8545' })).toThrow(/not a URL|only http/);
});

test('refusals are told apart from rate limits; the sizer shrinks tenfold, keeps under a refused width and grows when sparse', () => {
  expect(classifyRefusal('exceed maximum block range: 5000', -32600)).toBe('blocks');
  expect(classifyRefusal('Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range', -32602)).toBe('blocks');
  expect(classifyRefusal('query returned more than 10000 results', -32005)).toBe('results');
  expect(classifyRefusal('rate limit exceeded', -32005)).toBeNull();
  expect(classifyRefusal('execution reverted', 3)).toBeNull();
  expect(suggestedRange('Try with this block range [0x10, 0x2f].')).toEqual({ from: 16, to: 47 });
  const sizer = new LogRangeSizer({ initial: 1000, max: 100_000, sparseLogs: 10 });
  expect(sizer.refused(1000, 'blocks', null)).toBe(true);
  expect(sizer.size).toBe(100);
  for (let i = 0; i < 20; i++) sizer.answered(sizer.size, 0);
  expect(sizer.size).toBe(999);
  expect(sizer.refused(1, 'results', null)).toBe(false);
  expect(new RpcError('rpc', 'eth_call', 'x', 3).name).toBe('RpcError');
});
