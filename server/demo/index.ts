/**
 * The demo chain: a seeded, deterministic market simulator that writes the logs
 * the real contracts emit (encoded from the subgraphs' ABIs, at the real
 * addresses) and block headers, as NDJSON files `svr index` reads. SYNTHETIC
 * data: prices, accounts, hashes and block numbers are made up (see README.md).
 *
 * Output: `<out>/<subgraph>/<network>.logs.ndjson` and `.blocks.ndjson`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCKS, renderChain, type ChainFiles, type DemoTx } from './chain';
import { simulateAave } from './aave-v3';
import { feedTransactions, simulateOracle, type OracleRounds } from './chainlink';
import { simulateGmx } from './gmx-v1';
import { simulateGmxV2 } from './gmx-v2';
import { defaultCrash, simulatePrices, type CrashWindow, type PricePaths } from './prices';
import { simulatePerps } from './synthetix-perps-v2';

export interface DemoOptions {
  out: string;
  /** PRNG seed (default 1). */
  seed?: number;
  /** Simulated days (default 3). */
  days?: number;
  /** Activity multiplier (default 1): traders, trades per day, pool sizes. */
  scale?: number;
  /** Only these subgraphs (default: every one the demo models). */
  subgraphs?: string[];
  /** Only these networks. */
  networks?: string[];
  /** Seconds between "clock" headers for blocks without logs (default 60). */
  clockSeconds?: number;
}

export interface DemoDeploymentResult {
  subgraph: string;
  network: string;
  logsPath: string;
  blocksPath: string;
  logs: number;
  blocks: number;
  firstBlock: number;
  lastBlock: number;
  stats: Record<string, number>;
}

/** What a protocol's simulator is given: one market for every chain. */
export interface DemoMarket {
  /** The assets' prices, minute by minute. */
  paths: PricePaths;
  /** The Chainlink rounds along them (the oracle price of protocols that read Chainlink). */
  oracle: OracleRounds;
}

/** One protocol the demo models: its subgraph folder, networks and simulator. */
export interface DemoProtocol {
  subgraph: string;
  networks: string[];
  /** Its subgraph follows the Chainlink aggregators of subgraph/common/chainlink-feeds.ts: their rounds go in its files. */
  followsChainlink: boolean;
  simulate(network: string, seed: number, market: DemoMarket, scale: number): { txs: DemoTx[]; stats: Record<string, number> };
}

export const DEMO_PROTOCOLS: DemoProtocol[] = [
  {
    subgraph: 'gmx-v1',
    networks: ['arbitrum-one', 'avalanche'],
    followsChainlink: true,
    simulate: (network, seed, { paths }, scale) => {
      const { txs, stats } = simulateGmx({ network, seed, paths, scale });
      return { txs, stats: { ...stats } };
    },
  },
  {
    subgraph: 'gmx-v2',
    networks: ['arbitrum-one', 'avalanche'],
    // Its prices are GMX's own OraclePriceUpdate: no Chainlink rounds in its files.
    followsChainlink: false,
    simulate: (network, seed, { paths }, scale) => {
      const { txs, stats } = simulateGmxV2({ network, seed, paths, scale });
      return { txs, stats: { ...stats } };
    },
  },
  {
    subgraph: 'synthetix-perps-v2',
    networks: ['optimism'],
    followsChainlink: false,
    simulate: (_network, seed, { paths }, scale) => simulatePerps({ seed, paths, scale }),
  },
  {
    subgraph: 'aave-v3',
    networks: ['mainnet', 'arbitrum-one', 'optimism', 'avalanche', 'base', 'matic', 'bsc', 'gnosis'],
    followsChainlink: true,
    simulate: (network, seed, { oracle, paths }, scale) => simulateAave({ network, seed, oracle, scale, crash: paths.crash }),
  },
];

/** One demo deployment's simulated transactions, before they are placed in blocks. */
export interface DemoDeploymentTxs {
  subgraph: string;
  network: string;
  txs: DemoTx[];
  stats: Record<string, number>;
}

/** The simulated market of `runDemo`, as transactions per deployment (the live demo mines them; runDemo writes them). */
export function demoTransactions(options: Omit<DemoOptions, 'out' | 'clockSeconds'>): { minutes: number; crash: CrashWindow; deployments: DemoDeploymentTxs[] } {
  const seed = options.seed ?? 1;
  const days = options.days ?? 3;
  const scale = options.scale ?? 1;
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`seed must be a non-negative integer, not ${seed}`);
  if (!(days > 0) || days > 365) throw new Error(`days must be in (0, 365], not ${days}`);
  if (!(scale > 0) || scale > 1000) throw new Error(`scale must be in (0, 1000], not ${scale}`);
  const minutes = Math.round(days * 24 * 60);
  // One market for every chain: the same price path drives every deployment.
  const crash = defaultCrash(minutes);
  const paths = simulatePrices(seed, minutes, crash);
  const market: DemoMarket = { paths, oracle: simulateOracle(paths) };
  const deployments: DemoDeploymentTxs[] = [];
  for (const protocol of DEMO_PROTOCOLS) {
    if (options.subgraphs && !options.subgraphs.includes(protocol.subgraph)) continue;
    for (const network of protocol.networks) {
      if (options.networks && !options.networks.includes(network)) continue;
      const { txs, stats } = protocol.simulate(network, seed, market, scale);
      if (protocol.followsChainlink) {
        const rounds = feedTransactions(network, market.oracle);
        txs.push(...rounds);
        stats.feedRounds = rounds.length;
      }
      deployments.push({ subgraph: protocol.subgraph, network, txs, stats });
    }
  }
  return { minutes, crash, deployments };
}

export function runDemo(options: DemoOptions): DemoDeploymentResult[] {
  const seed = options.seed ?? 1;
  const clockSeconds = options.clockSeconds ?? 60;
  const { minutes, deployments } = demoTransactions(options);
  const results: DemoDeploymentResult[] = [];
  for (const { subgraph, network, txs, stats } of deployments) {
    const files = renderChain(seed, CLOCKS[network], txs, minutes * 60, clockSeconds);
    results.push({ subgraph, network, ...writeChainFiles(options.out, subgraph, network, files), stats });
  }
  return results;
}

/** Writes a deployment's two NDJSON files under `out`. */
export function writeChainFiles(out: string, subgraph: string, network: string, files: ChainFiles): Omit<DemoDeploymentResult, 'subgraph' | 'network' | 'stats'> {
  const dir = join(out, subgraph);
  mkdirSync(dir, { recursive: true });
  const logsPath = join(dir, `${network}.logs.ndjson`);
  const blocksPath = join(dir, `${network}.blocks.ndjson`);
  writeFileSync(logsPath, files.logs);
  writeFileSync(blocksPath, files.blocks);
  return { logsPath, blocksPath, logs: files.logCount, blocks: files.blockCount, firstBlock: files.firstBlock, lastBlock: files.lastBlock };
}
