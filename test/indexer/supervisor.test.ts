/**
 * The supervisor (server/indexer/supervisor.ts) against a real node: Hardhat 2's
 * on loopback, carrying the demo's GMX v1 Vault events at the Vault's real
 * address, reached through a loopback proxy the test can take away. One
 * follower process follows gmx-v1/arbitrum-one through:
 * - a reorg (evm_snapshot / evm_revert, then a different branch);
 * - SIGKILL of the follower: the supervisor restarts it (with back-off) and it resumes;
 * - the node going away and coming back: the error shows in lastError and
 *   health, and the follower recovers without losing blocks;
 * - stop(): the follower exits 0 with its store flushed at the last committed block.
 * Each wait is bounded in work (blocks), with a limit only against a hang.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNode, type LocalNode } from '../../bench/local-chain';
import { storePath } from '../../server/indexer/deployment';
import type { DeploymentHead, FollowerStatus } from '../../server/indexer/heads';
import { FollowerSupervisor } from '../../server/indexer/supervisor';
import { SqliteStore } from '../../server/store/sqlite-store';
import { LoopbackProxy } from './loopback-proxy';
import { emitGmx, gmxManifest, NETWORK, prepareChain, until } from './rpc-fixture';

let node: LocalNode;
let proxy: LoopbackProxy;
let supervisor: FollowerSupervisor;
let dataDir: string;
const heads: DeploymentHead[] = [];
const logs: string[] = [];

beforeAll(async () => {
  const manifestPath = gmxManifest();
  node = await startLocalNode();
  await prepareChain(node);
  proxy = new LoopbackProxy({ host: '127.0.0.1', port: Number(new URL(node.url).port) });
  await proxy.open();
  dataDir = mkdtempSync(join(tmpdir(), 'svr-supervisor-'));
  supervisor = new FollowerSupervisor({
    deployments: [
      { manifestPath, subgraph: 'gmx-v1', network: NETWORK, dataDir, rpcUrl: proxy.url, finalityDepth: 12, pollIntervalMs: 50, callsPerSecond: 0 },
    ],
    restart: { initialMs: 200, maxMs: 1000 },
    log: (line) => logs.push(line),
  });
  supervisor.subscribe((h) => heads.push(h));
}, 240_000);

afterAll(async () => {
  await supervisor?.stop();
  await proxy?.close();
  await node?.stop();
});

function status(): FollowerStatus {
  return supervisor.status('gmx-v1', NETWORK)!;
}

/** Waits until the follower has committed the node's head block (same number and hash). */
async function followsHead(what: string): Promise<void> {
  const head = await node.blockNumber();
  const hash = (await node.header(head)).hash;
  await until(() => heads.length > 0 && heads[heads.length - 1].number === head && heads[heads.length - 1].hash === hash, `${what}: the follower to commit block ${head}`);
}

function storedHash(n: number): string | undefined {
  const store = SqliteStore.openExisting(storePath(dataDir, 'gmx-v1', NETWORK), { readonly: true });
  try {
    return store.block(n)?.hash;
  } finally {
    store.close();
  }
}

test('follows the chain to its head in a process of its own, and reports it', async () => {
  await emitGmx(node, 0, 20);
  await supervisor.start();
  expect(supervisor.pid('gmx-v1', NETWORK)).not.toBe(process.pid);
  await followsHead('first catch-up');
  const s = status();
  expect(s).toMatchObject({ following: true, health: 'healthy', lag: 0, restarts: 0, lastError: null, block: await node.blockNumber() });
  expect(s.chainHead).toBe(s.block);
  // 20 transactions of the simulation, each with at least one Vault event, were run.
  expect(s.eventsPerSecond).toBeGreaterThan(0);
});

test('a reorg while following: the head feed reports the rollback and the store ends on the new branch', async () => {
  const fork = await node.blockNumber();
  const snapshot = await node.snapshot();
  await emitGmx(node, 20, 6, { every: 3, gap: 1 });
  await followsHead('branch A');
  const oldHead = heads[heads.length - 1];
  await node.revert(snapshot);
  // Branch B: other trades, and longer, so the node's head moves past branch A's.
  await emitGmx(node, 40, 8, { every: 4, gap: 2 });
  expect(await node.blockNumber()).toBeGreaterThan(oldHead.number);
  await followsHead('branch B');
  const afterFork = heads.slice(heads.indexOf(oldHead) + 1);
  // The rollback is a committed head below branch A's (at most the fork block).
  expect(afterFork.some((h) => h.number <= fork)).toBe(true);
  expect(logs.some((l) => /reorg/.test(l))).toBe(true);
  for (let n = fork + 1; n <= (await node.blockNumber()); n++) expect(storedHash(n)).toBe((await node.header(n)).hash);
});

test('SIGKILL of a follower: the supervisor restarts it with back-off and it goes on following', async () => {
  const pid = supervisor.pid('gmx-v1', NETWORK)!;
  process.kill(pid, 'SIGKILL');
  await until(() => status().restarts === 1, 'the restart to be counted');
  expect(status().lastError).toMatch(/SIGKILL/);
  await until(() => status().following && supervisor.pid('gmx-v1', NETWORK) !== pid, 'a new follower process');
  await emitGmx(node, 60, 5);
  await followsHead('after the restart');
  expect(status()).toMatchObject({ health: 'healthy', restarts: 1, following: true });
});

test('the node goes away and comes back: lastError and health say so, and the follower recovers', async () => {
  await proxy.close();
  await until(() => status().health === 'unhealthy' || status().health === 'failed', 'the follower to report the node gone');
  expect(status().lastError).toMatch(/ECONNREFUSED|fetch failed|connect|socket|network/i);
  // The chain grows meanwhile; the follower sees none of it.
  await emitGmx(node, 70, 5);
  await proxy.open();
  await followsHead('after the node came back');
  expect(status().health).toBe('healthy');
  expect(status().lastError).not.toBeNull();
});

test('stop(): the follower stops after its current block, flushed, and exits 0', async () => {
  const last = heads[heads.length - 1];
  await supervisor.stop();
  expect(status()).toMatchObject({ health: 'stopped', following: false });
  // The supervisor logs a stop with another exit code than 0.
  expect(logs.filter((l) => /while stopping/.test(l))).toEqual([]);
  const store = SqliteStore.openExisting(storePath(dataDir, 'gmx-v1', NETWORK), { readonly: true });
  try {
    expect(store.head()).toEqual({ number: last.number, hash: last.hash });
  } finally {
    store.close();
  }
});
