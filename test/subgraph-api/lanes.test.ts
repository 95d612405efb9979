/**
 * The reader lanes as the gateway wires them (server/gateway/index.ts): the
 * gateway's own reads in one pool, the public /subgraphs in another. With every
 * worker of the public lane busy on work that never ends, the gateway's reads
 * are still answered; past its per-client bound a client is answered 429 with
 * Retry-After before its query is queued, while another client still gets a
 * place in the lane. Counted, not timed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerClientLimit } from '../../server/http/per-client';
import { DeploymentRegistry, QUERY_TASK_MODULE, subgraphRequestHandler, DEFAULT_SUBGRAPH_LIMITS } from '../../server/subgraph-api';
import { WorkerPool } from '../../server/workers/pool';
import { writeFixture } from './fixture';

const PATH = '/subgraphs/name/api-fixture/testnet';
const QUERY = '{ _meta { block { number } } }';

let dir: string;
let registry: DeploymentRegistry;
let readers: WorkerPool;
let blocked: WorkerPool;
const servers: Server[] = [];
let gatewayBase: string;
let publicBase: string;
const perClient = new PerClientLimit(2);

async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'svr-lanes-'));
  writeFixture(dir);
  registry = DeploymentRegistry.scan(dir);
  readers = new WorkerPool({ taskModule: QUERY_TASK_MODULE, size: 1, init: { limits: DEFAULT_SUBGRAPH_LIMITS } });
  blocked = new WorkerPool({ taskModule: require.resolve('./blocked-task'), size: 1, maxQueue: 1, background: true });
  gatewayBase = await listen(subgraphRequestHandler(registry, { pool: readers }));
  publicBase = await listen(subgraphRequestHandler(registry, { pool: blocked, perClient: { limit: perClient, trustForwardedFor: true } }));
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((ok) => s.close(ok));
  }
  await readers.close();
  await blocked.close();
  registry.close();
  rmSync(dir, { recursive: true, force: true });
});

const ask = (base: string, client: string, signal?: AbortSignal) =>
  fetch(`${base}${PATH}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: JSON.stringify({ query: QUERY }), signal });

test('the public lane saturated, the gateway reads complete; a client past its bound gets 429 with Retry-After, another still gets in', async () => {
  const gone = new AbortController();
  // Client a: one query on the public lane's only worker, one in its queue; neither ever ends.
  const hanging = [ask(publicBase, '198.51.100.1', gone.signal), ask(publicBase, '198.51.100.1', gone.signal)];
  while (blocked.running + blocked.queued < 2) await new Promise((ok) => setImmediate(ok));
  expect(perClient.holding('198.51.100.1')).toBe(2);

  // The gateway's lane answers, however many times it is asked.
  for (let i = 0; i < 5; i++) {
    const res = await ask(gatewayBase, 'the gateway');
    expect(res.status).toBe(200);
    expect((await res.json()).data._meta.block.number).toBeGreaterThan(0);
  }
  expect(readers.stats.completed).toBe(5);

  // Client a is over its bound: refused at once, its query never queued.
  const over = await ask(publicBase, '198.51.100.1');
  expect(over.status).toBe(429);
  expect(over.headers.get('retry-after')).toBe('1');
  expect((await over.json()).errors[0].message).toMatch(/^198\.51\.100\.1 has 2 queries running or waiting, its limit/);
  expect(perClient.refused).toBe(1);
  expect(blocked.queued).toBe(1);

  // Client b is within its bound: it reaches the lane, whose queue is full (graph-node's overloaded answer, also 429).
  const other = await ask(publicBase, '198.51.100.2');
  expect(other.status).toBe(429);
  expect((await other.json()).errors[0].message).toMatch(/service is overloaded/);
  expect(blocked.stats.refusedBusy).toBe(1);

  // Client a hangs up: its work is stopped and its places are given back.
  gone.abort();
  await Promise.allSettled(hanging);
  while (perClient.clients > 0) await new Promise((ok) => setImmediate(ok));
  expect(blocked.running + blocked.queued).toBe(0);
});
