/**
 * `svr index --rpc` against a real node on loopback (Hardhat 2's, from npm):
 * GMX v1 Vault events at the Vault's real address, indexed live while the
 * chain grows, through a reorg forced with evm_snapshot / evm_revert and a
 * different branch; the store must equal a clean index of the final chain.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNode, type LocalNode } from '../../bench/local-chain';
import { indexRpc, type RpcIndexEvent } from '../../server/indexer/index-rpc';
import { storePath } from '../../server/indexer/deployment';
import { SqliteStore } from '../../server/store/sqlite-store';
import { emitGmx, gmxManifest, NETWORK, prepareChain, START_BLOCK, until, VAULT } from './rpc-fixture';

let node: LocalNode;
let manifestPath: string;

beforeAll(async () => {
  manifestPath = gmxManifest();
  node = await startLocalNode();
  await prepareChain(node);
}, 240_000);

afterAll(async () => {
  await node?.stop();
});

function openStore(dataDir: string): SqliteStore {
  return SqliteStore.openExisting(storePath(dataDir, 'gmx-v1', NETWORK));
}

async function cleanIndex(to: number): Promise<{ digest: string; positions: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-rpc-clean-'));
  const summary = await indexRpc({ manifestPath, subgraph: 'gmx-v1', dataDir, rpcUrl: node.url, to, finalityDepth: 3, client: { callsPerSecond: 0 } });
  expect(summary.head).toBe(to);
  const store = openStore(dataDir);
  const result = { digest: store.digest(), positions: store.list('Position').length };
  store.close();
  return result;
}

test('follows the head through a reorg and ends with the store of a clean index of the final chain', async () => {
  await emitGmx(node, 0, 30);
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-rpc-follow-'));
  const stop = new AbortController();
  const events: RpcIndexEvent[] = [];
  let indexed = 0;
  const run = indexRpc({
    manifestPath,
    subgraph: 'gmx-v1',
    dataDir,
    rpcUrl: node.url,
    follow: true,
    finalityDepth: 12,
    pollIntervalMs: 50,
    client: { callsPerSecond: 0 },
    signal: stop.signal,
    onProgress: (p) => (indexed = p.block),
    onEvent: (e) => events.push(e),
  });
  const failed = run.then(
    () => null,
    (e: Error) => e,
  );
  const caughtUpTo = async (n: number) => {
    await until(async () => {
      const error = await Promise.race([failed, Promise.resolve(undefined)]);
      if (error) throw error;
      return indexed >= n;
    }, `the indexer to reach block ${n}`);
  };

  await caughtUpTo(await node.blockNumber());
  expect(events.some((e) => e.kind === 'caught-up')).toBe(true);

  // Branch A: a few more trades, indexed as they come.
  const snapshot = await node.snapshot();
  const fork = await node.blockNumber();
  await emitGmx(node, 30, 8, { every: 4, gap: 1 });
  const headA = await node.blockNumber();
  await caughtUpTo(headA);

  // Branch B from the same parent: other trades, and longer, so the node switches to it.
  await node.revert(snapshot);
  expect(await node.blockNumber()).toBe(fork);
  await node.mine(1);
  await emitGmx(node, 60, 12, { every: 4, gap: 1 });
  const headB = await node.blockNumber();
  expect(headB).toBeGreaterThan(headA);
  await caughtUpTo(headB);
  stop.abort();
  const summary = await run;
  expect(summary.stopped).toBe(true);
  expect(summary.reorgs).toBeGreaterThanOrEqual(1);
  const reorg = events.find((e): e is Extract<RpcIndexEvent, { kind: 'reorg' }> => e.kind === 'reorg')!;
  expect(reorg.commonAncestor).toBeLessThanOrEqual(fork);
  expect(reorg.commonAncestor).toBeGreaterThanOrEqual(START_BLOCK);

  const live = openStore(dataDir);
  const liveDigest = live.digest();
  const liveHead = live.head();
  const livePositions = live.list('Position').length;
  live.close();
  expect(liveHead?.number).toBe(summary.head);
  const clean = await cleanIndex(summary.head!);
  expect(clean.positions).toBeGreaterThan(0);
  expect(livePositions).toBe(clean.positions);
  expect(liveDigest).toBe(clean.digest);
}, 240_000);

test('a historical run to --to fetches logs in ranges, full transactions, and resumes where it stopped', async () => {
  const head = await node.blockNumber();
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-rpc-resume-'));
  const half = START_BLOCK + Math.floor((head - START_BLOCK) / 2);
  const first = await indexRpc({ manifestPath, subgraph: 'gmx-v1', dataDir, rpcUrl: node.url, to: half, finalityDepth: 3, client: { callsPerSecond: 0 } });
  expect(first.head).toBe(half);
  // Fewer getLogs calls than blocks: ranges, not one block at a time.
  expect(first.rpc.byMethod.eth_getLogs).toBeLessThan(half - START_BLOCK);
  // Every block here is final: each transaction is asked for once, also where a block's handlers
  // create data sources (the Chainlink aggregators of the Vault's tokens) and the range is fetched
  // again with their addresses.
  const vaultLogs = await node.rpc<Array<{ transactionHash: string }>>('eth_getLogs', [{ fromBlock: '0x' + START_BLOCK.toString(16), toBlock: '0x' + half.toString(16), address: VAULT }]);
  expect(vaultLogs.length).toBeGreaterThan(0);
  expect(first.rpc.byMethod.eth_getTransactionByHash).toBe(new Set(vaultLogs.map((l) => l.transactionHash)).size);
  const second = await indexRpc({ manifestPath, subgraph: 'gmx-v1', dataDir, rpcUrl: node.url, to: head, finalityDepth: 3, client: { callsPerSecond: 0 } });
  expect(second.head).toBe(head);
  const store = openStore(dataDir);
  const digest = store.digest();
  // The mapping saw the sender: accounts come from event parameters, but every event's transaction is a real one.
  store.close();
  expect(digest).toBe((await cleanIndex(head)).digest);
  await expect(indexRpc({ manifestPath, subgraph: 'gmx-v1', dataDir, rpcUrl: node.url, from: head + 10, to: head, finalityDepth: 3 })).rejects.toThrow(
    /before the first block|would leave a gap/,
  );
}, 240_000);
