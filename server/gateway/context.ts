/** What every resolver of one gateway request shares. */
import type { RequestSources, SourceError } from '../sources';
import type { WorkerPool } from '../workers/pool';
import type { Dataset } from './dataset';

export interface GatewayContext {
  /** The sources, read for this request: one block per source, batched and cached. */
  sources: RequestSources;
  /**
   * Sources that failed while the answer went on without them. Each becomes a
   * GraphQL error naming the source (extensions.code, extensions.source), added
   * to the response by the partial-answers plugin.
   */
  sourceErrors: SourceError[];
  /**
   * Aborts when the request's deadline (requestTimeoutMs) passes or the client
   * goes away: pass it to the worker pool (`pool.run(task, input, { signal })`)
   * so that work nobody waits for any more stops.
   */
  signal: AbortSignal;
  /** Names the request in the log; an internal error's answer carries only this. */
  requestId: string;
  /** The risk worker pool: the risk queries' computations run there (risk-tasks.ts), never on the event loop. */
  risk: WorkerPool;
  /** What the server serves (Query.dataset): synthetic demo data or indexed chains. */
  dataset: Dataset;
}
