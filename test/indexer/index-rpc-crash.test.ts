/**
 * `svr index --rpc` killed with SIGKILL 20 times, each after it made progress, and run
 * again each time: the store must end identical (one digest over every entity
 * version and the head) to one uninterrupted run, with the last stretch of
 * blocks inside the finality depth (fetched and hash-checked one by one).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNode, type LocalNode } from '../../bench/local-chain';
import { storePath } from '../../server/indexer/deployment';
import { PROJECT_ROOT } from '../../server/paths';
import { SqliteStore } from '../../server/store/sqlite-store';
import { killRuns } from './kill-runs';
import { emitGmx, gmxManifest, NETWORK, prepareChain } from './rpc-fixture';

let node: LocalNode;

beforeAll(async () => {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'server', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`');
  }
  gmxManifest(); // built (and cached) before the first timed child run
  node = await startLocalNode();
  await prepareChain(node);
  await emitGmx(node, 0, 1200, { every: 4, gap: 2 });
}, 300_000);

afterAll(async () => {
  await node?.stop();
});

/** JSON-RPC calls per second. */
const RATE = 150;

function args(data: string, to: number): string[] {
  return [
    join(PROJECT_ROOT, 'bin', 'svr.js'), 'index', '--subgraph', 'gmx-v1', '--network', NETWORK, '--quiet',
    // A rate limit, as public endpoints have, makes a run last long enough for kills to land all along it.
    '--rpc', node.url, '--to', String(to), '--finality-depth', '300', '--rpc-rate', String(RATE), '--data', data,
  ];
}

function digestOf(data: string): { digest: string; head: number | null } {
  const store = SqliteStore.openExisting(storePath(data, 'gmx-v1', NETWORK));
  const result = { digest: store.digest(), head: store.head()?.number ?? null };
  store.close();
  return result;
}

test('killed with SIGKILL 20 times at moments spread over the run, then run to the end: the store of one uninterrupted run', async () => {
  const to = await node.blockNumber();
  // The uninterrupted run; how long it takes only spreads the kills over a run.
  const reference = mkdtempSync(join(tmpdir(), 'svr-rpc-ref-'));
  const whole = spawnSync(process.execPath, args(reference, to), { encoding: 'utf8' });
  expect(whole.stderr).toBe('');
  expect(whole.status).toBe(0);
  const expected = digestOf(reference);
  expect(expected.head).toBe(to);
  // A run with nothing left to do changes nothing.
  expect(spawnSync(process.execPath, args(reference, to)).status).toBe(0);
  expect(digestOf(reference)).toEqual(expected);

  const data = join(mkdtempSync(join(tmpdir(), 'svr-rpc-kill-')), 'data');
  const { heads, finished } = await killRuns({ args: args(data, to), store: storePath(data, 'gmx-v1', NETWORK), kills: 20, seed: 11, maxDelayMs: 500 });
  expect({ finished, kills: heads.length }).toEqual({ finished: false, kills: 20 });
  const last = spawnSync(process.execPath, args(data, to), { encoding: 'utf8' });
  expect(last.stderr).toBe('');
  expect(last.status).toBe(0);
  // The kills landed at different points of the run, not all before the first block.
  expect(new Set(heads).size).toBeGreaterThan(3);
  expect(digestOf(data)).toEqual(expected);
}, 600_000);
