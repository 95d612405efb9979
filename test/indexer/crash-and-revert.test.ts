/**
 * The store's promises under failure: a run killed with SIGKILL at any moment
 * and restarted ends with exactly the store of an uninterrupted run, and a
 * rollback to a block leaves exactly the store of a run that stopped there.
 */
import Database from "better-sqlite3";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../../bench/runtime";
import { buildSubgraph } from "../../server/compile/graph-build";
import { Deployment, storePath } from "../../server/indexer/deployment";
import type { BlockWithLogs } from "../../server/ingest/types";
import { PROJECT_ROOT } from "../../server/paths";
import { SqliteStore } from "../../server/store/sqlite-store";

const FIXTURE = join(PROJECT_ROOT, "bench", "fixtures", "gmx-positions");
const hex = (n: bigint | number) => "0x" + n.toString(16);

function reference(manifestPath: string, blocks: BlockWithLogs[]): string {
  const d = new Deployment({
    manifestPath,
    subgraph: "gmx-positions",
    dataDir: mkdtempSync(join(tmpdir(), "svr-ref-")),
  });
  for (const b of blocks) d.processBlock(b);
  const digest = d.store.digest();
  d.close();
  return digest;
}

let manifestPath: string;
beforeAll(() => {
  manifestPath = buildSubgraph({
    subgraphDir: FIXTURE,
    network: "arbitrum-one",
  });
});

test("revertTo(B) leaves the store of a run that stopped at B, and re-indexing ends where it would have", () => {
  const blocks = generate(4000, 10);
  const stopAt = 250;
  const d = new Deployment({
    manifestPath,
    subgraph: "gmx-positions",
    dataDir: mkdtempSync(join(tmpdir(), "svr-revert-")),
  });
  for (const b of blocks) d.processBlock(b);
  d.revertTo(stopAt);
  expect(d.head()?.number).toBe(stopAt);
  expect(d.store.digest()).toBe(
    reference(manifestPath, blocks.slice(0, stopAt)),
  );
  for (const b of blocks.slice(stopAt)) d.processBlock(b);
  expect(d.store.digest()).toBe(reference(manifestPath, blocks));
  expect(() => d.revertTo(100_000)).toThrow(/no record of it/);
  d.close();
});

test("killed with SIGKILL 20 times at moments spread over the run, then run to the end: the same store as one uninterrupted run", async () => {
  if (!existsSync(join(PROJECT_ROOT, "dist", "server", "cli.js"))) {
    throw new Error(
      "dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`",
    );
  }
  const blocks = generate(30_000, 10);
  const dir = mkdtempSync(join(tmpdir(), "svr-kill-"));
  writeFileSync(
    join(dir, "logs.ndjson"),
    blocks
      .flatMap((b) => b.logs)
      .map((l) =>
        JSON.stringify({
          ...l,
          blockNumber: hex(l.blockNumber),
          transactionIndex: hex(l.transactionIndex),
          logIndex: hex(l.logIndex),
        }),
      )
      .join("\n") + "\n",
  );
  writeFileSync(
    join(dir, "blocks.ndjson"),
    blocks
      .map((b) =>
        JSON.stringify({
          number: hex(b.header.number),
          hash: b.header.hash,
          parentHash: b.header.parentHash,
          timestamp: hex(b.header.timestamp),
        }),
      )
      .join("\n") + "\n",
  );
  const data = join(dir, "data");
  const args = [
    join(PROJECT_ROOT, "bin", "svr.js"),
    "index",
    "--subgraph",
    FIXTURE,
    "--network",
    "arbitrum-one",
    "--quiet",
    "--logs",
    join(dir, "logs.ndjson"),
    "--blocks",
    join(dir, "blocks.ndjson"),
    "--data",
    data,
  ];

  // Each kill waits until the run has applied a block past the last kill's head
  // (watched through a reader connection to the store), then comes after a
  // seeded delay, so the kills land across the run however slowly a loaded
  // machine starts Node and reads the input, and a failure can be replayed.
  let seed = 7;
  const nextDelay = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % 400;
  };
  const path = storePath(data, "gmx-positions", "arbitrum-one");
  let reader: Database.Database | null = null;
  const readHead = (): number => {
    if (!reader && !existsSync(path)) return 0;
    reader ??= new Database(path, { fileMustExist: true });
    reader.pragma("busy_timeout = 5000");
    try {
      const row = reader
        .prepare("SELECT number FROM _svr_head WHERE id = 1")
        .get() as { number: number } | undefined;
      return row?.number ?? 0;
    } catch (e) {
      if (/no such table/.test(String(e))) return 0; // the run is still creating the store
      throw e;
    }
  };
  const heads: number[] = [];
  for (let kill = 0; kill < 20; kill++) {
    const before = heads[heads.length - 1] ?? 0;
    const child = spawn(process.execPath, args, { stdio: "ignore" });
    let exited = false;
    const exit = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => {
        exited = true;
        resolve(code);
      }),
    );
    while (!exited && readHead() <= before)
      await new Promise((r) => setTimeout(r, 20));
    const timer = setTimeout(() => child.kill("SIGKILL"), nextDelay());
    const code = await exit;
    clearTimeout(timer);
    if (code === 0) break; // finished before the kill came
    heads.push(readHead());
  }
  reader?.close();
  const last = spawnSync(process.execPath, args, { encoding: "utf8" });
  expect(last.status).toBe(0);
  // The kills landed at different points of the run, not all before the first block.
  expect(new Set(heads).size).toBeGreaterThan(3);
  const store = SqliteStore.openExisting(
    storePath(data, "gmx-positions", "arbitrum-one"),
  );
  expect(store.head()?.number).toBe(blocks.length);
  expect(store.digest()).toBe(reference(manifestPath, blocks));
  store.close();
}, 300_000);
