/** What every resolver of one gateway request shares. */
import type { RequestSources, SourceError } from '../sources';
import type { WorkerPool } from '../workers/pool';
import type { FollowerStatusSource } from '../indexer/heads';
import type { Dataset } from './dataset';
import type { AlertService } from './alert-service';
import type { LiveFigures } from './live';
import type { ProvenanceStore } from './provenance-store';

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
  /** The followers' state, when this process follows chains (`svr start` with `follow`); null otherwise. */
  followers?: FollowerStatusSource | null;
  /**
   * What the server serves (Query.dataset): synthetic demo data or indexed chains. Set for HTTP requests;
   * absent in the gateway's own reads (live.ts, alert-service.ts) and over WebSocket, which never ask for it.
   */
  dataset?: Dataset;
  /** The live figures subscriptions read (live.ts); absent where the gateway runs without them. */
  live?: LiveFigures;
  /** The alert rules and events (alert-service.ts); absent where the gateway runs without them. */
  alerts?: AlertService;
  /** The provenance records served, for replay by digest (provenance-store.ts); absent where the gateway keeps none. */
  records?: ProvenanceStore;
  /** The request's Authorization header (HTTP), for the alert mutations' token. */
  authorization?: string;
  /** Over a WebSocket: how far the subscriber may fall behind, and how it is dropped when it does. */
  subscriber?: { maxQueuedEvents: number; drop(reason: string): void; release(): void };
}
