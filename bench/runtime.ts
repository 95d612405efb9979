/**
 * npm run bench:runtime
 *
 * Replays GMX-shaped position events through a graph-cli-compiled mapping into
 * the SQLite store, and compares with a floor measured in the same run:
 * decoding the same logs with viem and inserting as many rows with
 * better-sqlite3, with the store's commit policy and SQLite settings, no WASM.
 *
 * The two alternate for BENCH_ROUNDS rounds (default 3) and each side's best
 * round counts, so that a burst of load from other processes on a shared
 * machine lands on one round rather than on one side. Wall time is the
 * figure; the process's CPU time is printed beside it.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeEventLog, encodeAbiParameters, keccak256, toHex, type AbiEvent, type Hex } from 'viem';
import { buildSubgraph } from '../server/compile/graph-build';
import type { BlockWithLogs, Log } from '../server/ingest/types';
import { Deployment } from '../server/indexer/deployment';
import { PROJECT_ROOT } from '../server/paths';

const VAULT = '0x489ee077994b6658eafa855c308275ead8097c4a';
const FIXTURE = join(PROJECT_ROOT, 'bench', 'fixtures', 'gmx-positions');
const abi = require(join(FIXTURE, 'abis', 'Vault.json')) as AbiEvent[];
const byName = new Map(abi.map((e) => [e.name, e]));

function topic0(e: AbiEvent): Hex {
  return keccak256(toHex(`${e.name}(${e.inputs.map((i) => i.type).join(',')})`));
}

/** A deterministic generator, so both sides replay the same logs. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function generate(events: number, perBlock: number): BlockWithLogs[] {
  const rand = rng(42);
  const blocks: BlockWithLogs[] = [];
  const open: Array<{ key: Hex; account: Hex; isLong: boolean; size: bigint; collateral: bigint }> = [];
  let made = 0;
  let number = 1;
  let parent = '0x' + '00'.repeat(32);
  const address = (n: number) => ('0x' + n.toString(16).padStart(40, '0')) as Hex;
  const tokens = [address(0xa1), address(0xa2), address(0xa3), address(0xa4)];
  while (made < events) {
    const hash = keccak256(toHex(`block-${number}`));
    const logs: Log[] = [];
    const push = (name: string, values: unknown[]) => {
      const e = byName.get(name)!;
      logs.push({
        address: VAULT,
        topics: [topic0(e)],
        data: encodeAbiParameters(e.inputs, values),
        blockNumber: BigInt(number),
        blockHash: hash,
        transactionHash: keccak256(toHex(`tx-${number}-${logs.length}`)),
        transactionIndex: logs.length,
        logIndex: logs.length,
        removed: false,
      });
      made++;
    };
    while (logs.length < perBlock && made < events) {
      const price = 2000n * 10n ** 30n + BigInt(Math.floor(rand() * 1e6)) * 10n ** 27n;
      if (open.length < 50 || rand() < 0.45) {
        const p = { key: keccak256(toHex(`pos-${made}`)), account: address(1000 + Math.floor(rand() * 5000)), isLong: rand() < 0.6, size: 0n, collateral: 0n };
        const sizeDelta = BigInt(1 + Math.floor(rand() * 100000)) * 10n ** 30n;
        const collateralDelta = sizeDelta / 10n;
        p.size += sizeDelta;
        p.collateral += collateralDelta;
        open.push(p);
        push('IncreasePosition', [p.key, p.account, tokens[0], tokens[1 + Math.floor(rand() * 3)], collateralDelta, sizeDelta, p.isLong, price, sizeDelta / 1000n]);
        push('UpdatePosition', [p.key, p.size, p.collateral, price, 100n, p.size / price, 0n, price]);
      } else {
        const i = Math.floor(rand() * open.length);
        const p = open[i];
        if (rand() < 0.5) {
          const sizeDelta = p.size / 2n;
          p.size -= sizeDelta;
          push('DecreasePosition', [p.key, p.account, tokens[0], tokens[1], 0n, sizeDelta, p.isLong, price, sizeDelta / 1000n]);
          push('UpdatePosition', [p.key, p.size, p.collateral, price, 100n, p.size / price, -5n * 10n ** 30n, price]);
        } else {
          push('DecreasePosition', [p.key, p.account, tokens[0], tokens[1], p.collateral, p.size, p.isLong, price, p.size / 1000n]);
          push('ClosePosition', [p.key, p.size, p.collateral, price, 100n, 0n, 7n * 10n ** 30n]);
          open.splice(i, 1);
        }
      }
    }
    blocks.push({ header: { number: BigInt(number), hash, parentHash: parent, timestamp: BigInt(1_700_000_000 + number) }, logs });
    parent = hash;
    number++;
  }
  return blocks;
}

interface Timing {
  seconds: number;
  cpuSeconds: number;
}

function timed(run: () => void): Timing {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  run();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(cpu);
  return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

function floor(blocks: BlockWithLogs[], dir: string): Timing {
  const db = new Database(join(dir, 'floor.sqlite'));
  // The store's settings (server/store/sqlite-store.ts SqliteStore.open).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('temp_store = MEMORY');
  db.exec(`CREATE TABLE ev (id INTEGER PRIMARY KEY, block INTEGER, log_index INTEGER, name TEXT, key BLOB, a TEXT, b TEXT, c TEXT)`);
  const insert = db.prepare(`INSERT INTO ev (block, log_index, name, key, a, b, c) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  // The same commit policy as the store: one transaction for up to 500 blocks or one second.
  let batchBlocks = 0;
  let batchStarted = Date.now();
  const timing = timed(() => {
    for (const block of blocks) {
      if (!db.inTransaction) {
        db.exec('BEGIN');
        batchBlocks = 0;
        batchStarted = Date.now();
      }
      db.exec('SAVEPOINT block');
      {
        for (const log of block.logs) {
          const d = decodeEventLog({ abi, data: log.data as Hex, topics: log.topics as [Hex, ...Hex[]], strict: true });
          const args = d.args as unknown as Record<string, unknown>;
          insert.run(
            Number(block.header.number),
            log.logIndex,
            d.eventName,
            Buffer.from((args.key as string).slice(2), 'hex'),
            String(args.size ?? args.sizeDelta),
            String(args.collateral ?? args.collateralDelta),
            String(args.averagePrice ?? args.price),
          );
        }
      }
      db.exec('RELEASE block');
      if (++batchBlocks >= 500 || Date.now() - batchStarted >= 1000) db.exec('COMMIT');
    }
    if (db.inTransaction) db.exec('COMMIT');
  });
  db.close();
  return timing;
}

function svr(blocks: BlockWithLogs[], manifestPath: string, dir: string): Timing {
  // Loading the mapping (a one-off per process) is not part of the replay.
  const deployment = new Deployment({ manifestPath, subgraph: 'gmx-positions', dataDir: dir });
  const timing = timed(() => {
    for (const block of blocks) deployment.processBlock(block);
    deployment.store.flush();
  });
  deployment.close();
  return timing;
}

const best = (runs: Timing[]): Timing => ({
  seconds: Math.min(...runs.map((r) => r.seconds)),
  cpuSeconds: Math.min(...runs.map((r) => r.cpuSeconds)),
});

function main(): void {
  const events = Number(process.env.BENCH_EVENTS ?? 100_000);
  const perBlock = Number(process.env.BENCH_EVENTS_PER_BLOCK ?? 10);
  const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
  const manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'arbitrum-one' });
  const blocks = generate(events, perBlock);
  const total = blocks.reduce((n, b) => n + b.logs.length, 0);
  const dir = mkdtempSync(join(tmpdir(), 'svr-bench-'));
  try {
    // Warm both paths on a slice first (JIT, page cache), then measure the full run.
    floor(blocks.slice(0, 200), mkdtempSync(join(dir, 'warm-floor-')));
    svr(blocks.slice(0, 200), manifestPath, mkdtempSync(join(dir, 'warm-svr-')));
    const floors: Timing[] = [];
    const svrs: Timing[] = [];
    for (let round = 0; round < rounds; round++) {
      floors.push(floor(blocks, mkdtempSync(join(dir, 'floor-'))));
      svrs.push(svr(blocks, manifestPath, mkdtempSync(join(dir, 'svr-'))));
    }
    const f = best(floors);
    const s = best(svrs);
    const rate = (seconds: number) => (total / seconds).toFixed(0);
    const list = (runs: Timing[]) => runs.map((r) => r.seconds.toFixed(2)).join(', ');
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}, load average ${loadavg()[0].toFixed(1)} at the end`);
    console.log(`events: ${total} in ${blocks.length} blocks; best of ${rounds} alternating rounds`);
    console.log(`floor (viem decode + better-sqlite3 insert): ${rate(f.seconds)} events/s (${f.seconds.toFixed(2)} s; rounds ${list(floors)}); CPU ${rate(f.cpuSeconds)} events/CPU-s`);
    console.log(`svr (wasm mapping + entity store):           ${rate(s.seconds)} events/s (${s.seconds.toFixed(2)} s; rounds ${list(svrs)}); CPU ${rate(s.cpuSeconds)} events/CPU-s`);
    console.log(`ratio svr/floor: ${(f.seconds / s.seconds).toFixed(2)} (aim: at least 0.50); in CPU time ${(f.cpuSeconds / s.cpuSeconds).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
