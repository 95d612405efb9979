/**
 * The store's promises under failure: a run killed with SIGKILL at any moment
 * and restarted ends with exactly the store of an uninterrupted run, and a
 * rollback to a block leaves exactly the store of a run that stopped there.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../bench/runtime';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, storePath } from '../../server/indexer/deployment';
import type { BlockWithLogs } from '../../server/ingest/types';
import { PROJECT_ROOT } from '../../server/paths';
import { SqliteStore } from '../../server/store/sqlite-store';
import { killRuns } from './kill-runs';

const FIXTURE = join(PROJECT_ROOT, 'bench', 'fixtures', 'gmx-positions');
const hex = (n: bigint | number) => '0x' + n.toString(16);

function reference(manifestPath: string, blocks: BlockWithLogs[]): string {
  const d = new Deployment({ manifestPath, subgraph: 'gmx-positions', dataDir: mkdtempSync(join(tmpdir(), 'svr-ref-')) });
  for (const b of blocks) d.processBlock(b);
  const digest = d.store.digest();
  d.close();
  return digest;
}

let manifestPath: string;
beforeAll(() => {
  manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'arbitrum-one' });
});

test('revertTo(B) leaves the store of a run that stopped at B, and re-indexing ends where it would have', () => {
  const blocks = generate(4000, 10);
  const stopAt = 250;
  const d = new Deployment({ manifestPath, subgraph: 'gmx-positions', dataDir: mkdtempSync(join(tmpdir(), 'svr-revert-')) });
  for (const b of blocks) d.processBlock(b);
  d.revertTo(stopAt);
  expect(d.head()?.number).toBe(stopAt);
  expect(d.store.digest()).toBe(reference(manifestPath, blocks.slice(0, stopAt)));
  for (const b of blocks.slice(stopAt)) d.processBlock(b);
  expect(d.store.digest()).toBe(reference(manifestPath, blocks));
  expect(() => d.revertTo(100_000)).toThrow(/no record of it/);
  d.close();
});

test('killed with SIGKILL up to 20 times at moments spread over the run, then run to the end: the same store as one uninterrupted run', async () => {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'server', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`');
  }
  const blocks = generate(30_000, 10);
  const dir = mkdtempSync(join(tmpdir(), 'svr-kill-'));
  writeFileSync(
    join(dir, 'logs.ndjson'),
    blocks
      .flatMap((b) => b.logs)
      .map((l) =>
        JSON.stringify({ ...l, blockNumber: hex(l.blockNumber), transactionIndex: hex(l.transactionIndex), logIndex: hex(l.logIndex) }),
      )
      .join('\n') + '\n',
  );
  writeFileSync(
    join(dir, 'blocks.ndjson'),
    blocks.map((b) => JSON.stringify({ number: hex(b.header.number), hash: b.header.hash, parentHash: b.header.parentHash, timestamp: hex(b.header.timestamp) })).join('\n') + '\n',
  );
  const data = join(dir, 'data');
  const args = [join(PROJECT_ROOT, 'bin', 'svr.js'), 'index', '--subgraph', FIXTURE, '--network', 'arbitrum-one', '--quiet', '--logs', join(dir, 'logs.ndjson'), '--blocks', join(dir, 'blocks.ndjson'), '--data', data];

  // Up to 20 kills: a run may finish before its kill comes (the kills that landed are in `heads`).
  const { heads } = await killRuns({ args, store: storePath(data, 'gmx-positions', 'arbitrum-one'), kills: 20, seed: 7, maxDelayMs: 400 });
  const last = spawnSync(process.execPath, args, { encoding: 'utf8' });
  expect(last.status).toBe(0);
  // The kills landed at different points of the run, not all before the first block.
  expect(new Set(heads).size).toBeGreaterThan(3);
  const store = SqliteStore.openExisting(storePath(data, 'gmx-positions', 'arbitrum-one'));
  expect(store.head()?.number).toBe(blocks.length);
  expect(store.digest()).toBe(reference(manifestPath, blocks));
  store.close();
}, 300_000);
