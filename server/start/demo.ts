/**
 * `svr start`'s demo data: the synthetic demo chain (server/demo), generated
 * once into `<data>/demo-chain/`, and every demo deployment indexed into the
 * data directory once.
 *
 * - A deployment whose store already reached the end of its demo blocks is
 *   left as it is, and its subgraph is not built: a restart with nothing to
 *   index starts no graph-cli and no worker.
 * - The rest run in a worker pool as large as the machine's cores: a build per
 *   subgraph (one graph-cli build serves each of its networks,
 *   server/compile/graph-build.ts), and each deployment's indexing as soon as
 *   its subgraph is built, in parallel with the others.
 */
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runDemo, type DemoDeploymentResult } from '../demo';
import { demoChainDir, demoMarkerPath } from '../demo/marker';
import { storePath } from '../indexer/deployment';
import { SqliteStore } from '../store/sqlite-store';
import { WorkerPool } from '../workers/pool';
import type { BuildTaskResult, IndexTaskInput } from './tasks';
import type { IndexSummary } from '../indexer/index-files';

const TASK_MODULE = require.resolve('./tasks');

export interface DemoStartOptions {
  /** Folders of the subgraphs by name (subgraph/<name>), and the folder their sources import from. */
  subgraphs: ReadonlyMap<string, string>;
  sourceRoot: string;
  /** The demo chain's settings; the defaults are `svr start`'s. A change regenerates the chain. */
  seed?: number;
  days?: number;
  scale?: number;
  /** Worker threads; default: the machine's cores. */
  workers?: number;
  /** Where builds are kept (default .svr-cache/builds). */
  cacheDir?: string;
  log?: (line: string) => void;
}

export interface DemoStartReport {
  /** True when the demo chain was generated in this call. */
  generated: boolean;
  /** The deployments indexed in this call. */
  indexed: IndexSummary[];
  /** The deployments already indexed to the end of their demo blocks, left as they were. */
  upToDate: string[];
  /** Subgraphs built (or found built) in this call, and the graph-cli processes that took. */
  builds: number;
  graphCliRuns: number;
}

interface Marker {
  settings: { seed: number; days: number; scale: number };
  results: DemoDeploymentResult[];
}

function indexedToTheEnd(dataDir: string, r: DemoDeploymentResult): boolean {
  const path = storePath(dataDir, r.subgraph, r.network);
  if (!existsSync(path)) return false;
  const store = SqliteStore.openExisting(path);
  try {
    const head = store.head()?.number ?? null;
    return head !== null && head >= r.lastBlock;
  } finally {
    store.close();
  }
}

export async function indexDemo(dataDir: string, options: DemoStartOptions): Promise<DemoStartReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = { seed: options.seed ?? 1, days: options.days ?? 3, scale: options.scale ?? 1 };
  const demoDir = demoChainDir(dataDir);
  const markerPath = demoMarkerPath(dataDir);
  const marker = existsSync(markerPath) ? (JSON.parse(readFileSync(markerPath, 'utf8')) as Partial<Marker>) : null;
  let results = marker?.settings && JSON.stringify(marker.settings) === JSON.stringify(settings) ? marker.results! : null;
  const generated = results === null;
  if (!results) {
    log('svr: generating the SYNTHETIC demo chain (a seeded simulation, not chain history) ...');
    results = runDemo({ out: demoDir, ...settings });
    writeFileSync(markerPath, JSON.stringify({ settings, results } satisfies Marker));
  }
  return { generated, ...(await indexDemoFiles(dataDir, results, options)) };
}

/**
 * Indexes the demo files of `results` into `dataDir` (those not yet indexed to their last block),
 * on a worker pool: `indexDemo`'s work, and the live demo's history (server/start/live-demo.ts).
 */
export async function indexDemoFiles(dataDir: string, results: DemoDeploymentResult[], options: DemoStartOptions): Promise<Omit<DemoStartReport, 'generated'>> {
  const log = options.log ?? ((line: string) => console.log(line));
  for (const r of results) {
    if (!options.subgraphs.has(r.subgraph)) throw new Error(`the demo has ${r.subgraph}, but subgraph/${r.subgraph} does not exist`);
  }
  const pending = results.filter((r) => !indexedToTheEnd(dataDir, r));
  const report: Omit<DemoStartReport, 'generated'> = {
    indexed: [],
    upToDate: results.filter((r) => !pending.includes(r)).map((r) => `${r.subgraph}/${r.network}`),
    builds: 0,
    graphCliRuns: 0,
  };
  if (pending.length === 0) return report;

  const bySubgraph = new Map<string, DemoDeploymentResult[]>();
  for (const r of pending) bySubgraph.set(r.subgraph, [...(bySubgraph.get(r.subgraph) ?? []), r]);
  const size = Math.max(1, Math.min(options.workers ?? availableParallelism(), pending.length));
  log(`svr: indexing ${pending.length} demo deployment(s) on ${size} worker thread(s) ...`);
  const pool = new WorkerPool({ taskModule: TASK_MODULE, size, maxQueue: pending.length + bySubgraph.size });
  try {
    await Promise.all(
      [...bySubgraph].map(async ([subgraph, deployments]) => {
        // Built for its first network; the others reuse that compilation (no graph-cli).
        const built = await pool.run<BuildTaskResult>('build', {
          subgraphDir: options.subgraphs.get(subgraph)!,
          network: deployments[0].network,
          sourceRoot: options.sourceRoot,
          cacheDir: options.cacheDir,
        });
        report.builds++;
        report.graphCliRuns += built.graphCliRuns;
        await Promise.all(
          deployments.map(async (r) => {
            const manifest =
              r.network === deployments[0].network
                ? built
                : await pool.run<BuildTaskResult>('build', { subgraphDir: options.subgraphs.get(subgraph)!, network: r.network, sourceRoot: options.sourceRoot, cacheDir: options.cacheDir });
            report.graphCliRuns += manifest === built ? 0 : manifest.graphCliRuns;
            const input: IndexTaskInput = { manifestPath: manifest.manifestPath, subgraph: r.subgraph, dataDir, logsPath: r.logsPath, blocksPath: r.blocksPath };
            const summary = await pool.run<IndexSummary>('index', input);
            report.indexed.push(summary);
            log(`  indexed ${r.subgraph}/${r.network}: ${summary.blocksIndexed} blocks, ${summary.logsRead} logs in ${summary.seconds.toFixed(1)} s`);
          }),
        );
      }),
    );
  } finally {
    await pool.close();
  }
  return report;
}
