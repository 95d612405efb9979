/**
 * `svr start`'s demo data: the first start builds each subgraph once and
 * indexes every demo deployment; a restart with nothing new to index builds
 * nothing, runs no graph-cli and indexes nothing (counted, not timed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { indexDemo } from '../../server/start/demo';
import { DEMO_DEPLOYMENTS } from '../gateway/demo-stack';
import { storePath } from '../../server/indexer/deployment';
import { SqliteStore } from '../../server/store/sqlite-store';

const SUBGRAPHS = resolve(__dirname, '../../subgraph');
const subgraphs = new Map(['aave-v3', 'gmx-v1', 'gmx-v2', 'synthetix-perps-v2'].map((name) => [name, join(SUBGRAPHS, name)]));
// A short demo (about two simulated hours): what is counted is the work, not its size.
const settings = { seed: 5, days: 0.08, workers: 2, subgraphs, sourceRoot: SUBGRAPHS, log: () => undefined };

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-start-demo-'));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

test('the first start indexes every demo deployments; a restart builds and indexes nothing', async () => {
  const first = await indexDemo(dataDir, settings);
  expect(first.generated).toBe(true);
  expect(first.indexed.map((s) => `${s.subgraph}/${s.network}`).sort()).toEqual([...DEMO_DEPLOYMENTS].sort());
  // One build per subgraph, not per network.
  expect(first.builds).toBe(4);
  expect(first.graphCliRuns).toBeLessThanOrEqual(8);
  for (const s of first.indexed) {
    const store = SqliteStore.openExisting(storePath(dataDir, s.subgraph, s.network));
    expect(store.head()?.number).toBe(s.head);
    store.close();
  }

  const again = await indexDemo(dataDir, settings);
  expect(again).toEqual({ generated: false, indexed: [], upToDate: expect.any(Array), builds: 0, graphCliRuns: 0 });
  expect(again.upToDate).toHaveLength(DEMO_DEPLOYMENTS.length);
});

test('a demo subgraph without its folder is named before anything is built', async () => {
  const other = mkdtempSync(join(tmpdir(), 'svr-start-demo-'));
  try {
    const onlyPerps = new Map([...subgraphs].filter(([name]) => name === 'synthetix-perps-v2'));
    await expect(indexDemo(other, { ...settings, subgraphs: onlyPerps, days: 0.02 })).rejects.toThrow(/the demo has (aave-v3|gmx-v1|gmx-v2), but subgraph\/(aave-v3|gmx-v1|gmx-v2) does not exist/);
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
