/**
 * `svr start`'s followers: builds each followed subgraph for its network
 * (graph-cli, cached) and starts the supervisor that runs one follower process
 * per deployment (server/indexer/supervisor.ts), for the config's `follow`
 * list or the live demo's.
 */
import { buildSubgraph } from '../compile/graph-build';
import type { FollowConfig } from '../indexer/follow-config';
import { FollowerSupervisor } from '../indexer/supervisor';

export interface StartFollowersOptions {
  /** The folder of a subgraph by its name (throws, naming the known ones, when there is none). */
  subgraphDir: (name: string) => string;
  sourceRoot: string;
  log?: (line: string) => void;
  /** Where builds are kept (default .svr-cache/builds). */
  cacheDir?: string;
}

export async function startFollowers(config: FollowConfig, dataDir: string, options: StartFollowersOptions): Promise<FollowerSupervisor> {
  const log = options.log ?? ((line: string) => console.log(line));
  const deployments = config.follow.map((target) => {
    const chain = config.chains[target.network];
    const manifestPath = buildSubgraph({ subgraphDir: options.subgraphDir(target.subgraph), network: target.network, sourceRoot: options.sourceRoot, cacheDir: options.cacheDir });
    return {
      manifestPath,
      subgraph: target.subgraph,
      network: target.network,
      dataDir,
      rpcUrl: chain.rpcUrl,
      from: target.from,
      finalityDepth: chain.finalityDepth,
      pollIntervalMs: chain.pollIntervalMs,
      callsPerSecond: chain.callsPerSecond,
    };
  });
  const supervisor = new FollowerSupervisor({ deployments, restart: config.restart, log });
  log(`svr: following ${deployments.length} deployment(s), one process each: ${deployments.map((d) => `${d.subgraph}/${d.network}`).join(', ')}`);
  await supervisor.start();
  return supervisor;
}
