/**
 * Indexes a deployment from an Ethereum JSON-RPC node, historically up to a
 * block or the head, or following the head (`svr index --rpc`).
 *
 * - Blocks more than the network's finality depth below the head are final:
 *   they are fetched in adaptive eth_getLogs ranges filtered by the data
 *   sources' addresses and topic0s, and only blocks with triggers (and each
 *   range's last block, so the head advances) are run and recorded.
 * - Blocks above that are run one by one, each recorded with its hash and
 *   checked against its parent. A parent-hash mismatch (or logs of another
 *   branch) is a reorganization: the store is rolled back to the last recorded
 *   block the node still has (Deployment.revertTo) and the new branch indexed.
 * - A block whose handlers create data sources from templates is run again
 *   with its logs at the new addresses, and the next range includes them.
 * - Crash safety is the store's: blocks are committed whole, and a restart
 *   checks its head against the node before resuming after it.
 */
import { RpcClient, type RpcClientOptions, type RpcStats } from '../ingest/rpc/client';
import { ChainError, RpcChain, type LogFilter } from '../ingest/rpc/chain';
import type { RangeSizerOptions } from '../ingest/rpc/log-ranges';
import { finalityDepth } from '../ingest/rpc/networks';
import type { BlockHeader, BlockWithLogs, Log, Transaction, TransactionReceipt } from '../ingest/types';
import { NonDeterministicError } from '../runtime/errors';
import type { StoredDataSource } from '../store/sqlite-store';
import { Deployment, type DataSourceFilter, type DeploymentOptions } from './deployment';
import type { IndexProgress, IndexSummary } from './index-files';
import { RpcCallSource } from './rpc-calls';

export interface IndexRpcOptions extends DeploymentOptions {
  rpcUrl: string;
  /** First block to index when the store is empty (default: the manifest's lowest startBlock). */
  from?: number;
  /** Last block to index; without it and without `follow`, the node's head when the run starts. */
  to?: number;
  /** Keep polling for new blocks until stopped (`signal`). */
  follow?: boolean;
  /** Overrides the network's default (../ingest/rpc/networks.ts). */
  finalityDepth?: number;
  /** Between polls of the head when caught up; graph-node's default is 1 s. */
  pollIntervalMs?: number;
  client?: Omit<RpcClientOptions, 'url'>;
  range?: RangeSizerOptions;
  /** Stops the run cleanly between blocks (the store is flushed). */
  signal?: AbortSignal;
  onProgress?: (p: IndexProgress) => void;
  onEvent?: (e: RpcIndexEvent) => void;
  /** Told once the store is open (it exists on disk, so a server can serve it) and before the node is first asked. */
  onReady?: () => void;
  /**
   * Told each time the store's head changed and was committed (flushed): a new block, or a rollback
   * to an older one. `chainHead` is the node's head as last read.
   */
  onCommit?: (head: CommittedHead) => void;
}

export interface CommittedHead {
  number: number;
  hash: string;
  timestamp: number | null;
  chainHead: number;
  /** Logs run since the run started. */
  events: number;
}

export type RpcIndexEvent =
  | { kind: 'reorg'; oldHead: number; commonAncestor: number; depth: number; beyondFinality: boolean }
  | { kind: 'retry'; message: string; attempt: number; waitMs: number }
  | { kind: 'caught-up'; head: number };

export interface RpcIndexSummary extends IndexSummary {
  reorgs: number;
  /** Contract reads the mappings made (eth_call, eth_getBalance, eth_getCode). */
  contractCalls: number;
  rpc: RpcStats;
  /** True when the run ended on the signal rather than at `to`. */
  stopped: boolean;
  finalityDepth: number;
}

/** Blocks per step near the head, where every block is fetched and checked. */
const UNFINAL_STEP = 50;
/** At most this many blocks per range when a block handler needs every block. */
const EVERY_BLOCK_STEP = 500;
/**
 * Blocks with logs run per step: their headers and transactions are fetched
 * together, then run. Logs of a wider eth_getLogs answer wait for the next
 * step, so a dense answer does not hold thousands of blocks in memory, and
 * progress is committed as it goes.
 */
const BLOCKS_PER_STEP = 100;
/** Consecutive failures to get a consistent view of the chain before giving up. */
const MAX_INCONSISTENT = 20;

/** The node's answers disagree with each other or with the store: the chain moved while we read it. */
class ChainMoved extends Error {}

/** A block created data sources at addresses whose logs were not fetched: fetch, then run it again. */
class NeedsLogs extends Error {
  constructor(readonly addresses: string[]) {
    super(`data sources created at ${addresses.join(', ')}`);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export async function indexRpc(options: IndexRpcOptions): Promise<RpcIndexSummary> {
  const client = new RpcClient({
    url: options.rpcUrl,
    ...options.client,
    onRetry: (error, attempt, waitMs) => {
      options.client?.onRetry?.(error, attempt, waitMs);
      options.onEvent?.({ kind: 'retry', message: error.message, attempt, waitMs });
    },
  });
  const calls = new RpcCallSource(client);
  const deployment = new Deployment({ ...options, calls });
  options.onReady?.();
  try {
    return await new RpcIndexRun(deployment, client, calls, options).run();
  } finally {
    deployment.close();
    client.close();
  }
}

class RpcIndexRun {
  private readonly chain: RpcChain;
  private readonly finality: number;
  private readonly started = process.hrtime.bigint();
  /** Addresses of data sources a block created but could not commit yet: fetched with the rest. */
  private readonly extraAddresses = new Set<string>();
  private readonly topic0s: string[];
  private readonly receiptTopic0s: Set<string>;
  private chainHead = 0;
  private chainHeadAt = 0;
  private firstCursor = 0;
  private target = 0;
  private caughtUp = false;
  private counts = { indexed: 0, logs: 0, triggers: 0, changes: 0, reorgs: 0 };
  /** The head last told to onCommit. */
  private toldHead: string | null = null;
  /** Logs fetched beyond the last step, for the blocks from `from` to `to`, with the filter they were fetched with. */
  private prefetched: { key: string; from: number; to: number; logs: Log[] } | null = null;
  /**
   * Headers and transactions of final blocks that recent steps fetched, kept while the cursor has
   * not passed them: a block that creates data sources is fetched again with the new addresses
   * (graph-node restarts its block stream the same way), and what the node already sent for the
   * blocks from there on need not be asked twice. Final blocks do not change, so nothing is stale.
   */
  private finalHeaders = new Map<number, BlockHeader>();
  private finalTransactions = new Map<string, { block: number; transaction: Transaction }>();

  constructor(
    private readonly deployment: Deployment,
    client: RpcClient,
    private readonly calls: RpcCallSource,
    private readonly options: IndexRpcOptions,
  ) {
    this.chain = new RpcChain(client, options.range);
    this.finality = finalityDepth(deployment.network, options.finalityDepth);
    // One topic0 list for every address: a superset of each data source's own, which matchLog narrows.
    const all = [...deployment.manifest.dataSources, ...deployment.manifest.templates];
    this.topic0s = [...new Set(all.flatMap((ds) => ds.eventHandlers.map((h) => h.topic0)))];
    this.receiptTopic0s = new Set(all.flatMap((ds) => ds.eventHandlers.filter((h) => h.receipt).map((h) => h.topic0)));
  }

  private get client(): RpcClient {
    return this.chain.client;
  }

  async run(): Promise<RpcIndexSummary> {
    const { options, deployment } = this;
    if (options.to !== undefined && options.follow) throw new Error('--to and --follow exclude each other: give one');
    const head = deployment.head();
    const from = options.from ?? deployment.startBlock();
    if (head && options.from !== undefined && options.from > head.number + 1) {
      throw new Error(
        `the store already has blocks up to ${head.number}; --from ${options.from} would leave a gap: ` +
          'omit --from to resume after its head, or index into another --data directory',
      );
    }
    if (options.to !== undefined && options.to < from) throw new Error(`--to ${options.to} is before the first block to index (${from})`);
    await this.refreshHead(true);
    this.target = options.to ?? (options.follow ? Number.POSITIVE_INFINITY : this.chainHead);
    this.firstCursor = head?.number ?? from - 1;
    if (head) await this.reconcile();

    let inconsistent = 0;
    while (!options.signal?.aborted) {
      const cursor = deployment.head()?.number ?? from - 1;
      if (cursor >= this.target) break;
      if (cursor >= this.chainHead) {
        if (!options.follow && options.to === undefined) break;
        this.onCaughtUp();
        await sleep(options.pollIntervalMs ?? 1000, options.signal);
        if (options.signal?.aborted) break;
        await this.refreshHead(true);
        // No new block, or a head below ours: the head block itself may have been replaced.
        if (this.chainHead <= cursor) await this.reconcile();
        continue;
      }
      const finalHead = this.chainHead - this.finality;
      const first = cursor + 1;
      const unfinal = first > finalHead;
      const last = Math.min(this.target, this.chainHead, unfinal ? cursor + UNFINAL_STEP : finalHead);
      try {
        await this.range(first, last, unfinal);
        // Commit what the step ran before waiting on the node again (a write transaction left open across
        // network waits would lose more to a crash, and keep readers on older data).
        deployment.store.flush();
        this.committed();
        inconsistent = 0;
      } catch (e) {
        const moved = e instanceof ChainMoved || (e instanceof ChainError && e.code === 'BLOCK_NOT_AVAILABLE');
        // A contract call that failed on a block hash the node no longer has is a reorg too.
        if (!moved && !(e instanceof NonDeterministicError)) throw e;
        this.prefetched = null;
        const reverted = await this.reconcile();
        if (reverted) {
          deployment.store.flush();
          this.committed();
        }
        if (!moved && !reverted) throw e;
        if (++inconsistent > MAX_INCONSISTENT) {
          throw new Error(`${this.client.url} kept answering inconsistently (${(e as Error).message}); is the node syncing or load-balanced across nodes at different heads?`);
        }
        await this.refreshHead(true);
        if (!reverted) await sleep(200 * inconsistent, options.signal);
        continue;
      }
      await this.refreshHead(false);
    }
    if (Number.isFinite(this.target) || this.caughtUp) deployment.store.createAttributeIndexes();
    deployment.store.flush();
    this.committed();
    return {
      subgraph: deployment.subgraph,
      network: deployment.network,
      blocksIndexed: this.counts.indexed,
      blocksSkipped: 0,
      logsRead: this.counts.logs,
      // A node always answers with the parent hash.
      unlinkedBlocks: 0,
      triggers: this.counts.triggers,
      entityChanges: this.counts.changes,
      head: deployment.head()?.number ?? null,
      seconds: Number(process.hrtime.bigint() - this.started) / 1e9,
      reorgs: this.counts.reorgs,
      contractCalls: this.calls.calls,
      rpc: this.client.stats,
      stopped: options.signal?.aborted ?? false,
      finalityDepth: this.finality,
    };
  }

  /** Tells onCommit of the store's head when it is not the one last told. */
  private committed(): void {
    if (!this.options.onCommit) return;
    const head = this.deployment.head();
    if (!head || this.toldHead === head.hash) return;
    this.toldHead = head.hash;
    this.options.onCommit({ number: head.number, hash: head.hash, timestamp: this.deployment.store.block(head.number)?.timestamp ?? null, chainHead: Math.max(this.chainHead, head.number), events: this.counts.logs });
  }

  /** Asks the node for its head when forced, or every few seconds. */
  private async refreshHead(force: boolean): Promise<void> {
    if (!force && Date.now() - this.chainHeadAt < 5000) return;
    this.chainHead = await this.chain.headNumber();
    this.chainHeadAt = Date.now();
  }

  private onCaughtUp(): void {
    if (this.caughtUp) return;
    this.caughtUp = true;
    // Query indexes once the history is in; from here on each block maintains them.
    this.deployment.store.createAttributeIndexes();
    this.deployment.store.flush();
    this.options.onEvent?.({ kind: 'caught-up', head: this.chainHead });
  }

  private logFilters(sources: DataSourceFilter[]): { filters: LogFilter[]; addresses: Set<string> } {
    const addresses = new Set<string>(this.extraAddresses);
    let wildcard = false;
    for (const ds of sources) {
      if (ds.spec.eventHandlers.length === 0) continue;
      if (ds.address === null) wildcard = true;
      else addresses.add(ds.address);
    }
    const filters: LogFilter[] = [];
    if (addresses.size > 0) filters.push({ addresses: [...addresses].sort(), topic0s: this.topic0s });
    if (wildcard) {
      const topics = [...new Set(sources.filter((ds) => ds.address === null).flatMap((ds) => ds.spec.eventHandlers.map((h) => h.topic0)))];
      filters.push({ addresses: null, topic0s: topics });
    }
    return { filters, addresses };
  }

  /** Blocks in [first, last] that block handlers need, and whether some handler needs every block. */
  private blockHandlerBlocks(sources: DataSourceFilter[], first: number, last: number): { blocks: number[]; everyBlock: boolean } {
    const blocks: number[] = [];
    let everyBlock = false;
    for (const ds of sources) {
      const lo = Math.max(first, ds.startBlock);
      const hi = Math.min(last, ds.spec.endBlock ?? Number.POSITIVE_INFINITY);
      for (const h of ds.spec.blockHandlers) {
        if (h.filter.kind === 'once') {
          if (ds.startBlock >= first && ds.startBlock <= last) blocks.push(ds.startBlock);
        } else if (h.filter.kind === 'every') {
          everyBlock = true;
          for (let n = lo; n <= hi; n++) blocks.push(n);
        } else if (h.filter.kind === 'polling') {
          everyBlock = everyBlock || h.filter.every <= 10;
          const every = h.filter.every;
          for (let n = lo + ((((ds.startBlock - lo) % every) + every) % every); n <= hi; n += every) blocks.push(n);
        }
      }
    }
    return { blocks, everyBlock };
  }

  /** The headers of `numbers`: those of final blocks kept from earlier steps, the rest from the node. */
  private async headersOf(numbers: number[], first: number, unfinal: boolean): Promise<Map<number, BlockHeader>> {
    if (unfinal) {
      this.finalHeaders.clear();
      return this.chain.headers(numbers);
    }
    for (const n of this.finalHeaders.keys()) if (n < first - 1) this.finalHeaders.delete(n);
    const missing = numbers.filter((n) => !this.finalHeaders.has(n));
    const fetched = missing.length ? await this.chain.headers(missing) : new Map<number, BlockHeader>();
    for (const [n, header] of fetched) this.finalHeaders.set(n, header);
    return new Map(numbers.map((n) => [n, this.finalHeaders.get(n)!]));
  }

  /** The transactions of `logs`, kept from earlier steps for final blocks as headersOf does. */
  private async transactionsOf(logs: Log[], first: number, unfinal: boolean): Promise<Map<string, Transaction>> {
    const hashes = [...new Set(logs.map((l) => l.transactionHash))];
    if (unfinal) {
      this.finalTransactions.clear();
      return hashes.length ? this.chain.transactions(hashes) : new Map();
    }
    for (const [hash, kept] of this.finalTransactions) if (kept.block < first) this.finalTransactions.delete(hash);
    const missing = hashes.filter((h) => !this.finalTransactions.has(h));
    if (missing.length) {
      const blockOf = new Map(logs.map((l) => [l.transactionHash, Number(l.blockNumber)]));
      for (const [hash, transaction] of await this.chain.transactions(missing)) this.finalTransactions.set(hash, { block: blockOf.get(hash)!, transaction });
    }
    return new Map(hashes.map((h) => [h, this.finalTransactions.get(h)!.transaction]));
  }

  /** Fetches and runs the blocks from `first` to at most `last`. */
  private async range(first: number, last: number, unfinal: boolean): Promise<void> {
    const { deployment } = this;
    const sources = deployment.dataSourceFilters();
    if (this.blockHandlerBlocks(sources, first, last).everyBlock) last = Math.min(last, first + EVERY_BLOCK_STEP - 1);
    const { filters, addresses } = this.logFilters(sources);
    const key = JSON.stringify(filters);
    let end = last;
    let logs: Log[] = [];
    const kept = this.prefetched;
    this.prefetched = null;
    if (kept && kept.key === key && kept.from === first && !unfinal) {
      end = Math.min(kept.to, last);
      logs = kept.logs;
    } else if (filters.length > 0) ({ to: end, logs } = await this.chain.logs(first, last, filters));
    else end = Math.min(last, first + this.chain.sizer.size - 1);
    // Run at most BLOCKS_PER_STEP blocks with logs now; keep the rest of the answer for the next step.
    const withLogs = [...new Set(logs.map((l) => Number(l.blockNumber)))];
    if (withLogs.length > BLOCKS_PER_STEP) {
      const cut = withLogs[BLOCKS_PER_STEP - 1];
      this.prefetched = { key, from: cut + 1, to: end, logs: logs.filter((l) => Number(l.blockNumber) > cut) };
      logs = logs.filter((l) => Number(l.blockNumber) <= cut);
      end = cut;
    } else if (kept && end < kept.to) {
      this.prefetched = { key, from: end + 1, to: kept.to, logs: kept.logs.filter((l) => Number(l.blockNumber) > end) };
      logs = logs.filter((l) => Number(l.blockNumber) <= end);
    }

    const logsByBlock = new Map<number, Log[]>();
    for (const log of logs) {
      const n = Number(log.blockNumber);
      let list = logsByBlock.get(n);
      if (!list) logsByBlock.set(n, (list = []));
      list.push(log);
    }
    const needed = new Set<number>(logsByBlock.keys());
    for (const n of this.blockHandlerBlocks(sources, first, end).blocks) needed.add(n);
    needed.add(end);
    if (unfinal) for (let n = first; n <= end; n++) needed.add(n);
    const head = deployment.head();
    const checkParent = head !== null && head.number === first - 1;

    const receiptHashes = logs.filter((l) => this.receiptTopic0s.has(l.topics[0] ?? '')).map((l) => l.transactionHash);
    const [headers, transactions, receipts] = await Promise.all([
      this.headersOf(checkParent ? [first - 1, ...needed] : [...needed], first, unfinal),
      this.transactionsOf(logs, first, unfinal),
      receiptHashes.length ? this.chain.receipts(receiptHashes) : Promise.resolve(new Map<string, TransactionReceipt>()),
    ]);

    // Everything must be of one branch, continuing the store's head.
    if (checkParent && headers.get(first - 1)!.hash !== head!.hash) {
      throw new ChainMoved(`block ${first - 1} is ${headers.get(first - 1)!.hash} on the node, ${head!.hash} in the store`);
    }
    for (const log of logs) {
      const header = headers.get(Number(log.blockNumber))!;
      if (log.blockHash !== header.hash) throw new ChainMoved(`a log of block ${log.blockNumber} is in ${log.blockHash}, the header is ${header.hash}`);
    }
    if (unfinal) {
      let parent: BlockHeader | undefined = checkParent ? headers.get(first - 1) : undefined;
      for (let n = first; n <= end; n++) {
        const header = headers.get(n)!;
        if (parent && header.parentHash !== parent.hash) {
          throw new ChainMoved(`block ${n}'s parent is ${header.parentHash}, but block ${n - 1} is ${parent.hash}`);
        }
        parent = header;
      }
    }

    for (const n of [...needed].sort((a, b) => a - b)) {
      if (this.options.signal?.aborted) return;
      const blockLogs = logsByBlock.get(n) ?? [];
      const block: BlockWithLogs = { header: headers.get(n)!, logs: blockLogs, transactions, receipts };
      let created = false;
      try {
        const r = deployment.processBlock(block, {
          beforeCommit: (sourcesCreated: readonly StoredDataSource[]) => {
            created = true;
            const missing = sourcesCreated.map((d) => d.address).filter((a) => a !== '' && !addresses.has(a));
            if (missing.length > 0) throw new NeedsLogs(missing);
          },
        });
        this.counts.indexed++;
        this.counts.logs += blockLogs.length;
        this.counts.triggers += r.triggers;
        this.counts.changes += r.modifications;
      } catch (e) {
        if (!(e instanceof NeedsLogs)) throw e;
        // Nothing of block n was applied: fetch again from n with the new addresses.
        for (const a of e.addresses) this.extraAddresses.add(a);
        return;
      }
      this.progress(n);
      // New data sources change which logs and blocks the rest of the range needs.
      if (created) {
        this.extraAddresses.clear();
        return;
      }
    }
  }

  private progress(block: number): void {
    if (!this.options.onProgress) return;
    const last = Number.isFinite(this.target) ? Math.min(this.target, Math.max(this.chainHead, block)) : Math.max(this.chainHead, block);
    this.options.onProgress({
      blocksDone: block - this.firstCursor,
      blocksTotal: Math.max(last - this.firstCursor, block - this.firstCursor),
      events: this.counts.logs,
      block,
      chainHead: Math.max(this.chainHead, block),
    });
  }

  /**
   * Checks the store's recorded blocks against the node, newest first, and
   * rolls back to the newest one the node still has. Returns true when it
   * rolled back.
   */
  private async reconcile(): Promise<boolean> {
    const { deployment } = this;
    const head = deployment.head();
    if (!head) return false;
    await this.refreshHead(true);
    let below = head.number;
    // The head alone first: the common case is that nothing changed.
    for (let batch = 1; ; batch = 64) {
      const records = deployment.store.blocksAtOrBelow(below, batch);
      if (records.length === 0) {
        throw new Error(
          `none of the blocks in the store for ${deployment.subgraph}/${deployment.network} is on ${this.client.url}'s chain: ` +
            'it was indexed from another chain (or the node was reset); delete the store file or use another --data directory',
        );
      }
      const onNode = records.filter((r) => r.number <= this.chainHead).map((r) => r.number);
      const canonical = onNode.length ? await this.chain.headers(onNode) : new Map<number, BlockHeader>();
      for (const r of records) {
        if (canonical.get(r.number)?.hash !== r.hash) continue;
        if (r.number === head.number) return false;
        deployment.revertTo(r.number);
        this.prefetched = null;
        this.counts.reorgs++;
        const depth = head.number - r.number;
        this.options.onEvent?.({ kind: 'reorg', oldHead: head.number, commonAncestor: r.number, depth, beyondFinality: depth > this.finality });
        return true;
      }
      below = records[records.length - 1].number - 1;
    }
  }
}
