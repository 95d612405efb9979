/**
 * The live demo (server/start/live-demo.ts) on the production path: local
 * Hardhat nodes (one per network, real chain ids) mine the demo market's
 * minutes, the supervisor's followers index them over JSON-RPC, and the
 * gateway's `ratios` move with them. A restart on fresh nodes resumes where
 * the stores are, with no reorg. Mining is driven minute by minute here
 * (mineNext), not by the wall clock; a short demo (about two simulated hours).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, startServer, type RunningServer } from '../../server/gateway';
import type { DeploymentHead } from '../../server/indexer/heads';
import type { FollowerSupervisor } from '../../server/indexer/supervisor';
import { startFollowers } from '../../server/start/follow';
import { prepareLiveDemo, type LiveDemo } from '../../server/start/live-demo';
import { startLiveDemo } from '../../server/start/live-start';
import { storePath } from '../../server/indexer/deployment';
import { SqliteStore } from '../../server/store/sqlite-store';
import { DEMO_DEPLOYMENTS } from '../gateway/demo-stack';
import { until } from '../indexer/rpc-fixture';

const SUBGRAPHS = resolve(__dirname, '../../subgraph');
const subgraphs = new Map(['aave-v3', 'gmx-v1', 'gmx-v2', 'synthetix-perps-v2'].map((name) => [name, join(SUBGRAPHS, name)]));
const settings = { seed: 5, days: 0.08, leadMinutes: 10, secondsPerMinute: 1, workers: 2, subgraphs, sourceRoot: SUBGRAPHS, log: () => undefined };

const followerOptions = { subgraphDir: (n: string) => subgraphs.get(n)!, sourceRoot: SUBGRAPHS, log: () => undefined };

let dataDir: string;
let running: { demo: LiveDemo; supervisor: FollowerSupervisor; server: RunningServer; heads: DeploymentHead[]; stop?: () => Promise<void> } | null = null;

async function start(): Promise<NonNullable<typeof running>> {
  const demo = await prepareLiveDemo(dataDir, settings);
  const supervisor = await startFollowers(demo.config, dataDir, { subgraphDir: (n) => subgraphs.get(n)!, sourceRoot: SUBGRAPHS, log: () => undefined });
  const heads: DeploymentHead[] = [];
  supervisor.subscribe((h) => heads.push(h));
  const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', config: loadConfig({ file: null, env: {} }), heads: supervisor, followers: supervisor, logger: undefined });
  running = { demo, supervisor, server, heads };
  return running;
}

async function stop(): Promise<void> {
  if (!running) return;
  if (running.stop) {
    await running.stop();
  } else {
    await running.supervisor.stop();
    await running.demo.stop();
  }
  await running.server.close();
  running = null;
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-live-demo-'));
});
afterAll(async () => {
  await stop();
  rmSync(dataDir, { recursive: true, force: true });
});

type Ratio = { protocol: string; network: string; blockNumber: number; ratio: string | null; openInterestUSD: string; collateralUSD: string };

async function ratios(server: RunningServer): Promise<Map<string, Ratio>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ ratios { protocol network blockNumber ratio openInterestUSD collateralUSD } }' }),
  });
  const body = (await res.json()) as { data: { ratios: Ratio[] } };
  return new Map(body.data.ratios.map((r) => [`${r.protocol}/${r.network}`, r]));
}

/** Waits until every deployment's ratio is at its node's head block. */
async function atNodeHeads(r: NonNullable<typeof running>): Promise<Map<string, Ratio>> {
  const headOf = new Map<string, number>();
  for (const n of r.demo.networks) headOf.set(n.network, await n.node.blockNumber());
  let last = new Map<string, Ratio>();
  await until(async () => {
    last = await ratios(r.server);
    return DEMO_DEPLOYMENTS.every((d) => last.get(d)?.blockNumber === headOf.get(d.split('/')[1]));
  }, 'every ratio at its node head');
  return last;
}

test('live minutes mined on the nodes move the ratios; a restart on fresh nodes resumes without a reorg', async () => {
  const r = await start();
  expect(r.demo.networks.map((n) => n.network).sort()).toEqual(['arbitrum-one', 'avalanche', 'base', 'bsc', 'gnosis', 'mainnet', 'matic', 'optimism']);
  const chainIds = await Promise.all(r.demo.networks.map(async (n) => [n.network, Number(await n.node.rpc<string>('eth_chainId'))]));
  // chainlist.org: Arbitrum One 42161, Avalanche C-Chain 43114, Ethereum 1, OP Mainnet 10, Base 8453, BNB Smart Chain 56, Gnosis 100, Polygon PoS 137.
  expect(Object.fromEntries(chainIds)).toEqual({ 'arbitrum-one': 42161, avalanche: 43114, mainnet: 1, optimism: 10, base: 8453, bsc: 56, gnosis: 100, matic: 137 });
  const before = await atNodeHeads(r);
  for (const n of r.demo.networks) expect(before.get(DEMO_DEPLOYMENTS.find((d) => d.endsWith('/' + n.network))!)!.blockNumber).toBe(n.seamBlock);

  // Twelve demo minutes: past the crash's start (leadMinutes 10).
  for (let i = 0; i < 12; i++) await r.demo.mineNext();
  const after = await atNodeHeads(r);
  for (const d of DEMO_DEPLOYMENTS) expect(after.get(d)!.blockNumber).toBe(before.get(d)!.blockNumber + 12);
  const moved = DEMO_DEPLOYMENTS.filter((d) => after.get(d)!.openInterestUSD !== before.get(d)!.openInterestUSD || after.get(d)!.collateralUSD !== before.get(d)!.collateralUSD);
  expect(moved.length).toBeGreaterThan(0);
  // The head feed's last word on each deployment is the block the gateway answers at (blocks mined in a burst commit together).
  for (const d of DEMO_DEPLOYMENTS) expect(r.heads.filter((h) => `${h.protocol}/${h.network}` === d).pop()?.number).toBe(after.get(d)!.blockNumber);
  await stop();

  // A restart, as `svr start` makes it: the stores are served first, before any node or follower runs.
  const live = await startLiveDemo(dataDir, settings, followerOptions);
  expect(live.followers.attached).toBe(false);
  const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', config: loadConfig({ file: null, env: {} }), heads: live.followers, followers: live.followers, logger: undefined });
  const served = await ratios(server);
  for (const d of DEMO_DEPLOYMENTS) expect(served.get(d)!.blockNumber).toBe(after.get(d)!.blockNumber);
  const states = (await health(server)).flatMap((p) => p.deployments.map((d) => ({ id: `${p.id}/${d.network}`, health: d.health, following: d.following })));
  expect(states.filter((s) => DEMO_DEPLOYMENTS.includes(s.id)).map((s) => [s.id, s.health, s.following])).toEqual(DEMO_DEPLOYMENTS.map((d) => [d, 'starting', false]));
  // A listener subscribed before the followers exist gets their heads once they do.
  const heads: DeploymentHead[] = [];
  live.followers.subscribe((h) => heads.push(h));
  // Then fresh nodes, the same blocks mined again; the stores' heads are on the new chains.
  const started = (await live.afterServing({ mine: false }))!;
  expect(live.followers.attached).toBe(true);
  const again = { demo: started.demo, supervisor: started.supervisor, server, heads };
  running = { ...again, stop: () => live.stop() };
  expect(again.demo.status.minutesMined).toBe(12);
  const resumed = await atNodeHeads(again);
  expect([...resumed.values()].map((x) => [x.blockNumber, x.openInterestUSD])).toEqual(DEMO_DEPLOYMENTS.map((d) => [after.get(d)!.blockNumber, after.get(d)!.openInterestUSD]));
  await again.demo.mineNext();
  const one = await atNodeHeads(again);
  for (const d of DEMO_DEPLOYMENTS) expect(one.get(d)!.blockNumber).toBe(after.get(d)!.blockNumber + 1);
  for (const s of again.supervisor.list()) expect(s).toMatchObject({ restarts: 0, lastError: null, health: 'healthy' });
  for (const d of DEMO_DEPLOYMENTS) expect(heads.filter((h) => `${h.protocol}/${h.network}` === d).pop()?.number).toBe(one.get(d)!.blockNumber);
}, 600_000);

function storeHeadOf(deployment: string): number {
  const [subgraph, network] = deployment.split('/');
  const store = SqliteStore.openExisting(storePath(dataDir, subgraph, network), { readonly: true });
  try {
    return store.head()!.number;
  } finally {
    store.close();
  }
}

async function health(server: RunningServer): Promise<Array<{ id: string; deployments: Array<{ network: string; health: string; following: boolean }> }>> {
  const res = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ protocols { id deployments { network health following } } }' }),
  });
  return ((await res.json()) as { data: { protocols: Array<{ id: string; deployments: Array<{ network: string; health: string; following: boolean }> }> } }).data.protocols;
}

test('a restart whose nodes no longer match its stores fails saying so, and leaves the stores it serves as they are', async () => {
  await stop(); // the run the test above left
  const markerPath = join(dataDir, 'LIVE');
  const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as { seams: Record<string, string> };
  marker.seams = Object.fromEntries(Object.keys(marker.seams).map((n) => [n, '0x' + '00'.repeat(32)]));
  writeFileSync(markerPath, JSON.stringify(marker));
  const heads = new Map(DEMO_DEPLOYMENTS.map((d) => [d, storeHeadOf(d)]));
  const live = await startLiveDemo(dataDir, settings, followerOptions);
  await expect(live.afterServing()).rejects.toThrow(/do not match its nodes .* delete .* and start again/);
  await live.stop();
  for (const d of DEMO_DEPLOYMENTS) {
    const [subgraph, network] = d.split('/');
    expect(existsSync(storePath(dataDir, subgraph, network))).toBe(true);
    expect(storeHeadOf(d)).toBe(heads.get(d));
  }
}, 600_000);
