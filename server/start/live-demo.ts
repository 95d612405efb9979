/**
 * The live demo (`svr start` with no config): the synthetic demo market of
 * server/demo, mined block by block in real time on local JSON-RPC nodes and
 * followed over JSON-RPC by the same supervisor and followers that follow real
 * chains (server/indexer/supervisor.ts).
 *
 * - One Hardhat node per network (docs/live.md has the measured memory), on
 *   loopback with the network's real chain id, the log emitter
 *   (server/demo/local-node.ts) at every address the demo's contracts live at.
 * - The run is cut at `cutMinute`, `leadMinutes` demo minutes before the crash.
 *   What happens before it is history: indexed from files like the static
 *   demo's. What follows is live: each demo minute is one block per network,
 *   mined every `secondsPerMinute` wall seconds, with that minute's
 *   transactions in it.
 * - The seam keeps reorg detection honest: each node is mined (hardhat_mine,
 *   constant time) up to the seam block, two blocks past the history's last
 *   possible block, and the history file's last header IS that block of the
 *   node (its hash, parent hash and time). The store's head is then a block of
 *   the node, so the follower's check of its head against the node passes, and
 *   every live block's parent hash links to it.
 * - Determinism: the genesis time, every block's timestamp, the sender, the
 *   transactions and their order are fixed, so a fresh node given the same
 *   blocks has the same hashes. A restart (the node is fresh each start)
 *   mines the minutes its stores already hold again at once, then goes on in
 *   real time: the followers find their heads on the node and resume. If a
 *   seam hash differs from the one recorded (another Hardhat version), the live
 *   stores are deleted and the history indexed again.
 * - A restart serves first: when the stores already hold the history for the
 *   same settings (liveDemoStoredDeployments), `svr start` serves them at once and
 *   starts the nodes and the followers behind the server (server/start/live-start.ts,
 *   prepareLiveDemo with `storesMustMatch`, which then fails rather than rewrite the stores it
 *   serves).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLOCKS, EventEncoder, START_TIMESTAMP, renderChain, type DemoTx } from '../demo/chain';
import { demoTransactions, writeChainFiles, type DemoDeploymentResult } from '../demo';
import { startLocalNode, type EmittedLog, type LocalNode } from '../demo/local-node';
import { CHAIN_IDS } from '../ingest/rpc/networks';
import { storePath } from '../indexer/deployment';
import { DEFAULT_RESTART, type FollowConfig } from '../indexer/follow-config';
import { SqliteStore } from '../store/sqlite-store';
import { indexDemoFiles, type DemoStartOptions } from './demo';

export interface LiveDemoOptions extends DemoStartOptions {
  /** Wall seconds per demo minute (default 2). */
  secondsPerMinute?: number;
  /** Demo minutes between going live and the crash's first minute (default 60). */
  leadMinutes?: number;
  /**
   * The stores are being served: if they do not match the nodes (another seam
   * hash), fail saying so instead of deleting and indexing them again.
   */
  storesMustMatch?: boolean;
}

export const DEFAULT_SECONDS_PER_MINUTE = 2;
export const DEFAULT_LEAD_MINUTES = 60;

/** Gas per block of the local nodes: room for a busy demo minute's transactions in its one block. */
const BLOCK_GAS_LIMIT = 1_000_000_000;

interface LiveMarker {
  settings: { seed: number; days: number; scale: number; leadMinutes: number };
  seams: Record<string, string>;
  results: DemoDeploymentResult[];
}

/** A network's part of the live run. */
interface LiveNetwork {
  network: string;
  node: LocalNode;
  seamBlock: number;
  /** The transactions of each live minute (index 0: cutMinute), as emitter calls. */
  minutes: Array<Array<{ to: string; logs: EmittedLog[] }>>;
}

export interface LiveDemoStatus {
  /** Demo minutes mined live so far, and how many there are. */
  minutesMined: number;
  minutesTotal: number;
  /** The demo minute the next block is (from the start of the simulation), and the crash's. */
  nextMinute: number;
  crashMinute: number;
}

export class LiveDemo {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private mining: Promise<void> = Promise.resolve();
  /** Index into each network's `minutes` of the next minute to mine. */
  private next: number;
  /** Told as each network's block is mined (bench:live measures from here). */
  onMined: ((network: string, block: number) => void) | null = null;

  constructor(
    readonly networks: LiveNetwork[],
    /** The follow config for the supervisor: each network's node, each demo deployment. */
    readonly config: FollowConfig,
    readonly cutMinute: number,
    readonly crashMinute: number,
    private readonly secondsPerMinute: number,
    resumeAt: number,
    private readonly log: (line: string) => void,
  ) {
    this.next = resumeAt;
  }

  get status(): LiveDemoStatus {
    return { minutesMined: this.next, minutesTotal: this.networks[0]?.minutes.length ?? 0, nextMinute: this.cutMinute + this.next, crashMinute: this.crashMinute };
  }

  /** Mines one demo minute per `secondsPerMinute` until the run ends or stop(). */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.mining = this.mineNext().then(
        (more) => {
          if (more && !this.stopped) this.timer = setTimeout(tick, this.secondsPerMinute * 1000);
          else if (!more) this.log('svr: the live demo mined its last minute; the nodes stay up, the followers idle');
        },
        (e: Error) => this.log(`svr: the live demo stopped mining: ${e.message}`),
      );
    };
    this.timer = setTimeout(tick, this.secondsPerMinute * 1000);
  }

  /** Mines the next demo minute on every network; false when there is none left. */
  async mineNext(): Promise<boolean> {
    const total = this.networks[0]?.minutes.length ?? 0;
    if (this.next >= total) return false;
    const index = this.next++;
    await Promise.all(
      this.networks.map(async (n) => {
        await mineMinute(n, index, this.cutMinute);
        this.onMined?.(n.network, n.seamBlock + 1 + index);
      }),
    );
    const minute = this.cutMinute + index;
    if (minute === this.crashMinute) this.log(`svr: live demo: the crash starts (demo minute ${minute})`);
    return this.next < total;
  }

  /** Stops mining (after the block being mined) and the nodes. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.mining.catch(() => undefined);
    await Promise.all(this.networks.map((n) => n.node.stop()));
  }
}

/** The block of live minute `index`: one per minute after the seam, at the minute's end. */
async function mineMinute(n: LiveNetwork, index: number, cutMinute: number): Promise<void> {
  for (const tx of n.minutes[index]) await n.node.emit(tx.to, tx.logs);
  await n.node.setNextBlockTimestamp(START_TIMESTAMP + (cutMinute + index + 1) * 60);
  await n.node.mineBlock();
}

/** A network's transactions of every deployment on it, once each (the Chainlink rounds are in both GMX's and Aave's lists), in chain order. */
function networkTransactions(lists: DemoTx[][]): DemoTx[] {
  const encoder = new EventEncoder();
  const seen = new Set<string>();
  const out: Array<{ tx: DemoTx; i: number }> = [];
  let i = 0;
  for (const list of lists) {
    for (const tx of list) {
      if (tx.events.length === 0) continue;
      const key = `${tx.address.toLowerCase()}|${tx.second}|${tx.order}|${tx.events.map((e) => JSON.stringify(encoder.encode(e))).join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ tx, i: i++ });
    }
  }
  return out.sort((a, b) => a.tx.second - b.tx.second || a.tx.order - b.tx.order || a.i - b.i).map((x) => x.tx);
}

function liveSettings(options: LiveDemoOptions): LiveMarker['settings'] {
  return { seed: options.seed ?? 1, days: options.days ?? 3, scale: options.scale ?? 1, leadMinutes: options.leadMinutes ?? DEFAULT_LEAD_MINUTES };
}

function readMarker(dataDir: string): Partial<LiveMarker> | null {
  const markerPath = join(dataDir, 'LIVE');
  if (!existsSync(markerPath)) return null;
  try {
    return JSON.parse(readFileSync(markerPath, 'utf8')) as Partial<LiveMarker>;
  } catch {
    return null;
  }
}

/**
 * The deployments whose stores `dataDir` already holds with the live demo's
 * history for these settings, every one present (a restart, which can be
 * served before the nodes start); null when there is no such history. Reads
 * the marker and checks the store files; starts nothing.
 */
export function liveDemoStoredDeployments(dataDir: string, options: LiveDemoOptions): Array<{ subgraph: string; network: string }> | null {
  const marker = readMarker(dataDir);
  if (!marker?.results?.length || JSON.stringify(marker.settings) !== JSON.stringify(liveSettings(options))) return null;
  if (!marker.results.every((r) => existsSync(storePath(dataDir, r.subgraph, r.network)))) return null;
  return marker.results.map((r) => ({ subgraph: r.subgraph, network: r.network }));
}

function storeHead(dataDir: string, subgraph: string, network: string): number | null {
  const path = storePath(dataDir, subgraph, network);
  if (!existsSync(path)) return null;
  const store = SqliteStore.openExisting(path, { readonly: true });
  try {
    return store.head()?.number ?? null;
  } finally {
    store.close();
  }
}

/**
 * Starts the nodes, indexes the history (once), and replays the live minutes the stores already hold;
 * returns the demo ready to start mining and the follow config for the supervisor.
 */
export async function prepareLiveDemo(dataDir: string, options: LiveDemoOptions): Promise<LiveDemo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const settings = liveSettings(options);
  const secondsPerMinute = options.secondsPerMinute ?? DEFAULT_SECONDS_PER_MINUTE;
  if (!(secondsPerMinute > 0)) throw new Error(`the live demo's seconds per demo minute must be positive, not ${secondsPerMinute}`);
  const sim = demoTransactions(settings);
  const crashMinute = sim.crash.startMinute;
  const cutMinute = Math.max(1, crashMinute - settings.leadMinutes);
  const cutSecond = cutMinute * 60;
  const networks = [...new Set(sim.deployments.map((d) => d.network))];

  // The nodes: each mined to its seam block, with the emitter at every address the demo's contracts use there.
  const live: LiveNetwork[] = [];
  try {
    await Promise.all(
      networks.map(async (network) => {
        const clock = CLOCKS[network];
        const seamBlock = clock.startBlock + Math.floor(cutSecond / clock.blockTime) + 2;
        const seamTime = START_TIMESTAMP + Math.floor((seamBlock - clock.startBlock) * clock.blockTime);
        // Genesis such that block k's time is genesis + k: the seam block has the demo clock's time.
        const genesis = seamTime - seamBlock;
        const node = await startLocalNode({ chainId: CHAIN_IDS[network], initialDate: new Date(genesis * 1000).toISOString(), automine: false, blockGasLimit: BLOCK_GAS_LIMIT });
        const txs = networkTransactions(sim.deployments.filter((d) => d.network === network).map((d) => d.txs));
        const lastMinute = sim.minutes;
        const minutes: LiveNetwork['minutes'] = Array.from({ length: lastMinute - cutMinute }, () => []);
        const encoder = new EventEncoder();
        for (const tx of txs) {
          const m = Math.floor(tx.second / 60);
          if (m < cutMinute || m >= lastMinute) continue;
          minutes[m - cutMinute].push({ to: tx.address.toLowerCase(), logs: tx.events.map((e) => encoder.encode(e)) });
        }
        live.push({ network, node, seamBlock, minutes });
        await node.setNextBlockTimestamp(genesis + 1);
        await node.mine(seamBlock);
        for (const address of new Set(txs.map((t) => t.address.toLowerCase()))) await node.installEmitter(address);
      }),
    );
  } catch (e) {
    await Promise.all(live.map((n) => n.node.stop()));
    throw e;
  }
  live.sort((a, b) => a.network.localeCompare(b.network));

  try {
    const seams: Record<string, string> = {};
    const seamHeaders = new Map<string, Awaited<ReturnType<LocalNode['header']>>>();
    for (const n of live) {
      const header = await n.node.header(n.seamBlock);
      seams[n.network] = header.hash;
      seamHeaders.set(n.network, header);
    }
    const markerPath = join(dataDir, 'LIVE');
    const marker = readMarker(dataDir);
    let results = marker && JSON.stringify(marker.settings) === JSON.stringify(settings) && JSON.stringify(marker.seams) === JSON.stringify(seams) ? marker.results! : null;
    if (!results && options.storesMustMatch) {
      throw new Error(
        `the live demo's stores in ${dataDir} do not match its nodes (their seam blocks differ, as with another Hardhat version): ` +
          `stop svr, delete ${dataDir}, and start again to index the history anew`,
      );
    }
    if (!results) {
      if (marker) log('svr: the live demo\'s settings or nodes changed since its stores were written: indexing its history again');
      rmSync(dataDir, { recursive: true, force: true });
      mkdirSync(dataDir, { recursive: true });
      log(`svr: writing the live demo's history (the SYNTHETIC demo chain up to demo minute ${cutMinute}, ${settings.leadMinutes} minutes before the crash) ...`);
      results = sim.deployments.map(({ subgraph, network, txs, stats }) => {
        const files = renderChain(settings.seed, CLOCKS[network], txs.filter((t) => t.second < cutSecond), cutSecond - 1, 60);
        // The history's tail is the node's seam block: the follower's first block links to it.
        files.blocks += JSON.stringify(seamHeaders.get(network)) + '\n';
        files.blockCount++;
        files.lastBlock = live.find((n) => n.network === network)!.seamBlock;
        return { subgraph, network, ...writeChainFiles(join(dataDir, 'demo-chain'), subgraph, network, files), stats };
      });
      writeFileSync(markerPath, JSON.stringify({ settings, seams, results } satisfies LiveMarker));
    }
    await indexDemoFiles(dataDir, results, options);

    // A restart: mine again, at once, the live minutes the stores already hold.
    const resumeAt = Math.max(
      0,
      ...sim.deployments.map((d) => {
        const head = storeHead(dataDir, d.subgraph, d.network);
        const seam = live.find((n) => n.network === d.network)!.seamBlock;
        return head === null ? 0 : head - seam;
      }),
    );
    const demo = new LiveDemo(
      live,
      {
        chains: Object.fromEntries(live.map((n) => [n.network, { network: n.network, rpcUrl: n.node.url, callsPerSecond: 0, pollIntervalMs: 100 }])),
        follow: sim.deployments.map((d) => ({ subgraph: d.subgraph, network: d.network })),
        restart: DEFAULT_RESTART,
      },
      cutMinute,
      crashMinute,
      secondsPerMinute,
      0,
      log,
    );
    if (resumeAt > 0) {
      log(`svr: live demo: mining again the ${resumeAt} live minute(s) the stores hold (the nodes start fresh) ...`);
      for (let i = 0; i < resumeAt; i++) if (!(await demo.mineNext())) break;
    }
    return demo;
  } catch (e) {
    await Promise.all(live.map((n) => n.node.stop()));
    throw e;
  }
}
