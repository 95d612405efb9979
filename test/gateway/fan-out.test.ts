/**
 * The cold fan-out of `ratios` over the demo stack, counted (not timed): each
 * source is read in one round trip, its head (`_meta`) in the same document as
 * its figures, and the answer is the one the same reads pinned to the head's
 * hash give.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { httpStats } from '../../server/sources';
import { DEMO_DEPLOYMENTS, demoDataDir, post, startDemoGateway, type GraphQLAnswer } from './demo-stack';

const RATIOS = '{ ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber stale complete markets { market openInterestUSD ratio } collateral { token amount valueUSD } } }';

let scratch: string;
const running: RunningServer[] = [];

/**
 * A gateway over the demo stack with its own empty cache, its heads kept for ten minutes (no clock in the counts), and no alert
 * state of other tests' (it would poll heads).
 */
async function gateway(): Promise<RunningServer> {
  const base = loadConfig({ env: {} });
  const server = await startDemoGateway(await demoDataDir(), {
    alerts: { ...base.alerts, stateFile: join(scratch, `alerts-${running.length}.sqlite`) },
    reader: { ...base.reader, head: { ...base.reader.head, ttlMs: 600_000 } },
  });
  running.push(server);
  return server;
}

/** Upstream requests per source while `run` runs. */
async function counted(run: () => Promise<unknown>): Promise<Record<string, number>> {
  const before = { ...httpStats.bySource };
  await run();
  const out: Record<string, number> = {};
  for (const [key, n] of Object.entries(httpStats.bySource)) if (n !== (before[key] ?? 0)) out[key] = n - (before[key] ?? 0);
  return out;
}

const once = Object.fromEntries(DEMO_DEPLOYMENTS.map((d) => [d, 1]));

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'svr-fan-out-'));
  await demoDataDir();
}, 900_000);

afterAll(async () => {
  for (const s of running) await s.close();
  rmSync(scratch, { recursive: true, force: true });
});

test('a cold ratios reads every source in one round trip, with its head, and answers as reads pinned to the head hash do', async () => {
  const cold = await gateway();
  let atHead: GraphQLAnswer | null = null;
  expect(await counted(async () => (atHead = await post(`${cold.url}/graphql`, RATIOS)))).toEqual(once);
  expect(atHead!.errors).toBeUndefined();
  expect(atHead!.data!.ratios).toHaveLength(DEMO_DEPLOYMENTS.length);
  expect(atHead!.data!.ratios.every((r: { complete: boolean }) => r.complete)).toBe(true);

  // A gateway that read every head first (one `_meta` each): its figures are then read pinned to them by hash.
  const pinned = await gateway();
  expect(await counted(() => post(`${pinned.url}/graphql`, '{ protocols { deployments { blockNumber } } }'))).toEqual(once);
  let byHash: GraphQLAnswer | null = null;
  expect(await counted(async () => (byHash = await post(`${pinned.url}/graphql`, RATIOS)))).toEqual(once);
  expect(byHash!.data).toEqual(atHead!.data);

  // The same question again: one whole-answer lookup behind the heads it keeps, no read at all.
  expect(await counted(() => post(`${cold.url}/graphql`, RATIOS))).toEqual({});
});

test("every protocol's collateral model, status and ratio read each source once", async () => {
  const cold = await gateway();
  let answer: GraphQLAnswer | null = null;
  // Three fields asking each deployment's Protocol entity at its head: one document per source, with the head.
  expect(await counted(async () => (answer = await post(`${cold.url}/graphql`, '{ protocols { id collateralModel { model } status { status } ratio { ratio complete } } }')))).toEqual(once);
  expect(answer!.errors).toBeUndefined();
  expect(answer!.data!.protocols.every((p: { ratio: { complete: boolean } }) => p.ratio.complete)).toBe(true);
});
