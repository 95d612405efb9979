/**
 * What a follower tells the rest of svr: the block it just committed (the head
 * feed, for subscriptions and cache invalidation), and how it is doing (for
 * `protocols { deployments { ... } }`).
 *
 * DeploymentHead and HeadFeed are defined here, once: a follower produces
 * heads, and server/sources/heads.ts's PollingHeadFeed produces the same from
 * any graph-node's `_meta` when no follower runs in this process.
 */

/** A block a deployment committed: its store holds the deployment's state at this block. */
export interface DeploymentHead {
  /** The subgraph folder name (the gateway's protocol id). */
  protocol: string;
  network: string;
  number: number;
  hash: string;
  /** Unix seconds, when the store recorded the block's time. */
  timestamp: number | null;
}

export interface HeadFeed {
  /** Calls `listener` with every head committed from now on; returns the unsubscribe. */
  subscribe(listener: (head: DeploymentHead) => void): () => void;
}

/** How a followed deployment is doing, as its supervisor last heard. */
export interface FollowerStatus {
  protocol: string;
  network: string;
  /** The last committed block, or null before the first. */
  block: number | null;
  /** The node's head as the follower last read it. */
  chainHead: number | null;
  /** chainHead - block, at least 0, when both are known. */
  lag: number | null;
  /**
   * "healthy": following without errors; "unhealthy": the node's calls fail and are retried
   * (lastError says why); "failed": the follower exited and waits for its restart;
   * "starting": not yet caught up once; "stopped": stopped on SIGTERM/SIGINT.
   */
  health: 'starting' | 'healthy' | 'unhealthy' | 'failed' | 'stopped';
  /** Logs run per second over the last minute (a statistic, hence a float). */
  eventsPerSecond: number;
  lastError: string | null;
  /** Restarts after a crash since the supervisor started. */
  restarts: number;
  /** True while a follower process runs for it. */
  following: boolean;
}

/** What the gateway reads the followers' state from. */
export interface FollowerStatusSource {
  status(protocol: string, network: string): FollowerStatus | null;
}
