/**
 * npm run bench:ingest
 *
 * Indexes GMX v1 Vault events from a real JSON-RPC node on loopback (Hardhat
 * 2's, started here) with svr's RPC ingest (adaptive eth_getLogs ranges,
 * batched headers and transactions), and, in the same run against the same
 * chain, with a naive ingest that asks for one block at a time (its full block
 * with transactions, and its logs). Both run every block with logs through the
 * same compiled mapping into a store; the stores must come out identical.
 * Prints blocks/s and JSON-RPC calls (and HTTP requests) per 1,000 blocks.
 *
 * BENCH_TXS (default 400) Vault transactions, each followed by BENCH_GAP
 * (default 12) empty blocks, as on a chain where the protocol is one of many.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { gmxTransactions, startLocalNode } from './local-chain';
import { buildSubgraph } from '../server/compile/graph-build';
import { Deployment, storePath } from '../server/indexer/deployment';
import { indexRpc } from '../server/indexer/index-rpc';
import { parseTransaction } from '../server/ingest/rpc/chain';
import { RpcClient } from '../server/ingest/rpc/client';
import { parseHeaderObject, parseLogObject } from '../server/ingest/ndjson';
import type { Transaction } from '../server/ingest/types';
import { PROJECT_ROOT } from '../server/paths';
import { SqliteStore } from '../server/store/sqlite-store';

const NETWORK = 'arbitrum-one';
const VAULT = '0x489ee077994b6658eafa855c308275ead8097c4a';
const START_BLOCK = 227091;
const hex = (n: number) => '0x' + n.toString(16);

interface Result {
  blocks: number;
  seconds: number;
  calls: number;
  httpRequests: number;
  digest: string;
}

/** One block per request: eth_getBlockByNumber(n, true) and eth_getLogs(n..n), no batching. */
async function naive(manifestPath: string, url: string, from: number, to: number, dir: string): Promise<Result> {
  const deployment = new Deployment({ manifestPath, subgraph: 'gmx-v1', dataDir: dir });
  const client = new RpcClient({ url, callsPerSecond: 0, maxBatch: 1 });
  const topic0s = [...new Set(deployment.manifest.dataSources.flatMap((d) => d.eventHandlers.map((h) => h.topic0)))];
  const start = process.hrtime.bigint();
  for (let n = from; n <= to; n++) {
    const [block, logs] = await Promise.all([
      client.call<Record<string, unknown>>('eth_getBlockByNumber', [hex(n), true]),
      client.call<Array<Record<string, unknown>>>('eth_getLogs', [{ fromBlock: hex(n), toBlock: hex(n), address: [VAULT], topics: [topic0s] }]),
    ]);
    const transactions = new Map<string, Transaction>();
    for (const t of block.transactions as Array<Record<string, unknown>>) transactions.set(String(t.hash), parseTransaction(t, `block ${n}`));
    deployment.processBlock({
      header: parseHeaderObject(block, { file: `block ${n}`, line: 0 }),
      logs: logs.map((l, k) => parseLogObject(l, { file: `logs of block ${n}`, line: k })),
      transactions,
    });
  }
  deployment.store.flush();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const digest = deployment.store.digest();
  deployment.close();
  client.close();
  return { blocks: to - from + 1, seconds, calls: client.stats.calls, httpRequests: client.stats.httpRequests, digest };
}

async function main(): Promise<void> {
  const txCount = Number(process.env.BENCH_TXS ?? 400);
  const gap = Number(process.env.BENCH_GAP ?? 12);
  const manifestPath = buildSubgraph({ subgraphDir: join(PROJECT_ROOT, 'subgraph', 'gmx-v1'), network: NETWORK, sourceRoot: join(PROJECT_ROOT, 'subgraph') });
  const node = await startLocalNode();
  const dirs: string[] = [];
  try {
    await node.mine(START_BLOCK - 1 - (await node.blockNumber()));
    await node.installEmitter(VAULT);
    let logCount = 0;
    for (const tx of gmxTransactions(NETWORK, txCount)) {
      await node.emit(VAULT, tx.logs);
      logCount += tx.logs.length;
      await node.mine(gap);
    }
    const head = await node.blockNumber();
    const blocks = head - START_BLOCK + 1;
    console.log(`chain: Hardhat ${require('hardhat/package.json').version} node on 127.0.0.1; GMX v1 Vault events at ${VAULT}`);
    console.log(`  blocks ${START_BLOCK}..${head} (${blocks}), ${txCount} transactions with ${logCount} logs, ${gap} empty blocks after each`);

    const adaptiveDir = mkdtempSync(join(tmpdir(), 'svr-bench-ingest-'));
    dirs.push(adaptiveDir);
    const summary = await indexRpc({
      manifestPath,
      subgraph: 'gmx-v1',
      dataDir: adaptiveDir,
      rpcUrl: node.url,
      from: START_BLOCK,
      to: head,
      finalityDepth: 0,
      client: { callsPerSecond: 0 },
    });
    const store = SqliteStore.openExisting(storePath(adaptiveDir, 'gmx-v1', NETWORK));
    const adaptive: Result = { blocks, seconds: summary.seconds, calls: summary.rpc.calls, httpRequests: summary.rpc.httpRequests, digest: store.digest() };
    store.close();

    const naiveDir = mkdtempSync(join(tmpdir(), 'svr-bench-naive-'));
    dirs.push(naiveDir);
    const baseline = await naive(manifestPath, node.url, START_BLOCK, head, naiveDir);
    if (baseline.digest !== adaptive.digest) throw new Error('the two ingests produced different stores: the comparison is void');

    const cpu = cpus();
    console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'} x ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}, Node ${process.version}`);
    const line = (name: string, r: Result) =>
      console.log(
        `  ${name.padEnd(30)} ${(r.blocks / r.seconds).toFixed(0).padStart(7)} blocks/s  ${((r.calls / r.blocks) * 1000).toFixed(1).padStart(8)} calls/1000 blocks  ` +
          `${((r.httpRequests / r.blocks) * 1000).toFixed(1).padStart(8)} HTTP requests/1000 blocks  (${r.seconds.toFixed(2)} s, ${r.calls} calls)`,
      );
    console.log(`ingest of ${blocks} blocks into the store (same mapping, same store digest):`);
    line('svr adaptive (ranges, batches)', adaptive);
    line('naive (one block per request)', baseline);
    console.log(
      `ratio: ${(adaptive.blocks / adaptive.seconds / (baseline.blocks / baseline.seconds)).toFixed(1)}x the blocks/s, ` +
        `${(baseline.calls / adaptive.calls).toFixed(1)}x fewer JSON-RPC calls, ${(baseline.httpRequests / adaptive.httpRequests).toFixed(1)}x fewer HTTP requests per 1,000 blocks`,
    );
    console.log(`  adaptive calls by method: ${JSON.stringify(summary.rpc.byMethod)}`);
  } finally {
    await node.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
