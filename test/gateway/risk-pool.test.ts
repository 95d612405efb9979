/**
 * The risk queries' computations run in the risk worker pool: the event loop
 * keeps answering while one runs, and a computation nobody waits for any more
 * is stopped and said to be, with the next request served by a fresh worker.
 * Observed by the order of answers and by error codes, never by timings.
 */
import type { RunningServer } from '../../server/gateway';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

let server: RunningServer;
beforeAll(async () => {
  server = await startDemoGateway(await demoDataDir());
}, 600_000);
afterAll(async () => server?.close());

const HEAVY = '{ valueAtRisk(paths: 100000, volatilities: [{ asset: "ETH", volatility: 0.8 }, { asset: "BTC", volatility: 0.6 }]) { total { var99 { value } } } }';

async function until(condition: () => boolean): Promise<void> {
  // Bounded in turns of the event loop, not in time.
  for (let i = 0; i < 1_000_000 && !condition(); i++) await new Promise((ok) => setImmediate(ok));
  expect(condition()).toBe(true);
}

test('/health and a subgraph query answer while a heavy risk computation runs', async () => {
  const order: string[] = [];
  const heavy = post(`${server.url}/graphql`, HEAVY).then((a) => {
    order.push('heavy');
    return a;
  });
  // The heavy request is read and its portfolio built before its worker starts; wait for the pool to be busy.
  await until(() => server.risk.running === 1);
  const health = await fetch(`${server.url}/health`);
  order.push('health');
  expect(health.status).toBe(200);
  const answer = await heavy;
  expect(answer.errors).toBeUndefined();
  expect(order).toEqual(['health', 'heavy']);
});

test('a client that hangs up stops its computation (the worker is ended); the next request is served', async () => {
  const client = new AbortController();
  // Another question than the first test's, whose answer the whole-answer cache now holds.
  const query = HEAVY.replace('volatility: 0.8', 'volatility: 0.7');
  const gone = fetch(`${server.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }), signal: client.signal }).catch((e) => e);
  await until(() => server.risk.running === 1);
  client.abort();
  expect((await gone).name).toBe('AbortError');
  // Terminated, not left to finish: the pool has nothing running.
  await until(() => server.risk.running === 0);
  const fine = await post(`${server.url}/graphql`, '{ stressTest(scenario: { marketWide: -0.2 }) { total { bufferAfterUSD } } }');
  expect(fine.errors).toBeUndefined();
  expect(fine.data!.stressTest.total.bufferAfterUSD).toMatch(/^-?\d/);
});
