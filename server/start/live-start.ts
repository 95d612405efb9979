/**
 * `svr start`'s live demo, in the order that keeps a user waiting least. The
 * server serves as soon as the stores hold the demo's history; the local
 * nodes, the replay of the live minutes a restart's stores already hold, the
 * follower processes and the mining start behind it. Until the followers run,
 * every deployment reports `health: starting` and `following: false`, and its
 * figures are those of its store's head.
 *
 * A first start (no stores yet) needs the nodes before serving: the history's
 * last block is each node's seam block (server/start/live-demo.ts).
 */
import type { DeploymentHead, FollowerStatus, FollowerStatusSource, HeadFeed } from '../indexer/heads';
import type { FollowerSupervisor } from '../indexer/supervisor';
import { startFollowers, type StartFollowersOptions } from './follow';
import { liveDemoStoredDeployments, prepareLiveDemo, type LiveDemo, type LiveDemoOptions } from './live-demo';

/**
 * The followers' heads and states for a server started before its supervisor:
 * "starting" for each expected deployment until `attach`, then the
 * supervisor's own (listeners subscribed before it are moved over).
 */
export class DeferredFollowers implements HeadFeed, FollowerStatusSource {
  private supervisor: FollowerSupervisor | null = null;
  private readonly listeners = new Map<(head: DeploymentHead) => void, (() => void) | null>();
  private readonly expected: Set<string>;

  constructor(deployments: Array<{ subgraph: string; network: string }>) {
    this.expected = new Set(deployments.map((d) => `${d.subgraph}/${d.network}`));
  }

  get attached(): boolean {
    return this.supervisor !== null;
  }

  attach(supervisor: FollowerSupervisor): void {
    if (this.supervisor) throw new Error('the followers are attached already');
    this.supervisor = supervisor;
    for (const listener of this.listeners.keys()) this.listeners.set(listener, supervisor.subscribe(listener));
  }

  subscribe(listener: (head: DeploymentHead) => void): () => void {
    this.listeners.set(listener, this.supervisor ? this.supervisor.subscribe(listener) : null);
    return () => {
      this.listeners.get(listener)?.();
      this.listeners.delete(listener);
    };
  }

  status(protocol: string, network: string): FollowerStatus | null {
    if (this.supervisor) return this.supervisor.status(protocol, network);
    if (!this.expected.has(`${protocol}/${network}`)) return null;
    return { protocol, network, block: null, chainHead: null, lag: null, health: 'starting', eventsPerSecond: 0, lastError: null, restarts: 0, following: false };
  }
}

export interface LiveStart {
  followers: DeferredFollowers;
  /**
   * Starts, once the server serves, what is left: the nodes (on a restart), the followers and
   * (unless `mine` is false: a test mines minute by minute with mineNext) the mining in real
   * time. Resolves when all of it runs; null when stop() came first.
   */
  afterServing(options?: { mine?: boolean }): Promise<{ demo: LiveDemo; supervisor: FollowerSupervisor } | null>;
  /** Stops whatever has started (followers after their current block, then the nodes); waits for a start under way. */
  stop(): Promise<void>;
}

/**
 * Gets the live demo ready to serve: on a first start, starts the nodes and
 * indexes the history; on a restart, nothing (the stores are served as they
 * are, the nodes start in afterServing, and fail it if they no longer match).
 */
export async function startLiveDemo(dataDir: string, options: LiveDemoOptions, followerOptions: StartFollowersOptions): Promise<LiveStart> {
  const stored = liveDemoStoredDeployments(dataDir, options);
  let demo: LiveDemo | null = stored ? null : await prepareLiveDemo(dataDir, options);
  const followers = new DeferredFollowers(stored ?? demo!.config.follow);
  let supervisor: FollowerSupervisor | null = null;
  let stopping = false;
  let starting: Promise<unknown> = Promise.resolve();

  const afterServing = async (opts: { mine?: boolean } = {}) => {
    const run = (async () => {
      if (!demo) demo = await prepareLiveDemo(dataDir, { ...options, storesMustMatch: true });
      if (stopping) return null;
      supervisor = await startFollowers(demo.config, dataDir, followerOptions);
      followers.attach(supervisor);
      if (stopping) return null;
      if (opts.mine !== false) demo.start();
      return { demo, supervisor };
    })();
    starting = run.catch(() => undefined);
    return run;
  };

  return {
    followers,
    afterServing,
    async stop() {
      stopping = true;
      await starting;
      if (supervisor) await supervisor.stop();
      if (demo) await demo.stop();
    },
  };
}
