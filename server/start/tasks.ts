/**
 * The start-up's work that runs in worker threads (server/workers/pool.ts), so
 * that graph-cli builds and demo indexing use every core: each task is one
 * subgraph's build or one deployment's indexing, with plain data in and out.
 */
import { buildStats, buildSubgraph, type BuildOptions } from '../compile/graph-build';
import { indexFiles, type IndexSummary } from '../indexer/index-files';

export interface BuildTaskResult {
  manifestPath: string;
  /** graph-cli processes this build started (0 when the cached build was reused). */
  graphCliRuns: number;
}

export function build(input: BuildOptions): BuildTaskResult {
  const before = buildStats.graphCliRuns;
  const manifestPath = buildSubgraph(input);
  return { manifestPath, graphCliRuns: buildStats.graphCliRuns - before };
}

export interface IndexTaskInput {
  manifestPath: string;
  subgraph: string;
  dataDir: string;
  logsPath: string;
  blocksPath: string;
}

export function index(input: IndexTaskInput): Promise<IndexSummary> {
  return indexFiles(input);
}
