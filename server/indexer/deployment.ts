/**
 * One subgraph deployment on one network: its compiled mapping, its store,
 * and the data sources it runs (from the manifest, and those created from
 * templates). Blocks go in one at a time; each block's triggers run in
 * graph-node's order and its changes are committed together.
 */
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import type { BlockWithLogs, BlockHeader, Log } from '../ingest/types';
import { NonDeterministicError, RuntimeError } from '../runtime/errors';
import { writeBlock, writeEvent, type EthBlock, type EventParam } from '../runtime/ethereum';
import { apiVersionAtLeast, triggerLayout, type TriggerLayout } from '../runtime/api-version';
import { noCallSource, type CallSource, type DataSourceInfo, type HostContext, type LogLevel } from '../runtime/host';
import { loadManifest, type DataSourceSpec, type EventHandler, type Manifest } from '../runtime/manifest';
import { MappingInstance } from '../runtime/module';
import { RollupError } from '../store/rollup';
import { EntityCache } from '../store/entity-cache';
import { LatestEntityCache } from '../store/latest-cache';
import { SqliteStore, StoreError, type IndexingError, type StoredDataSource } from '../store/sqlite-store';
import type { EntityData, Value } from '../runtime/values';
import { decodeSortableDecimal, encodeSortableDecimal } from '../store/codec';

export class IndexingFailedError extends Error {
  readonly code = 'DETERMINISTIC_INDEXING_ERROR';
  constructor(readonly error: IndexingError) {
    super(`${error.message} (handler \`${error.handler}\` at block #${error.blockNumber} ${error.blockHash})`);
  }
}

export interface DeploymentOptions {
  /** `<build dir>/subgraph.yaml`, as graph-cli's `graph build` wrote it. */
  manifestPath: string;
  /** The subgraph's name (its folder under subgraph/). */
  subgraph: string;
  dataDir: string;
  calls?: CallSource;
  /** Where mapping log messages go; defaults to nowhere but CRITICAL still fails the handler. */
  onLog?: (level: LogLevel, message: string, dataSource: string) => void;
}

interface RunningDataSource {
  spec: DataSourceSpec;
  address: string | null;
  startBlock: number;
  context: EntityData | null;
  instance: MappingInstance;
  info: DataSourceInfo;
}

export interface BlockResult {
  triggers: number;
  modifications: number;
}

export interface ProcessBlockOptions {
  /**
   * Called when the block's handlers created data sources, before anything is
   * committed. Throwing aborts the block with nothing applied (an RPC ingest
   * does, to fetch the block's logs at the new addresses and run it again).
   */
  beforeCommit?: (created: readonly StoredDataSource[]) => void;
}

/** A data source as an ingest needs to see it: which logs and blocks it wants. */
export interface DataSourceFilter {
  spec: DataSourceSpec;
  /** null: every address (a wildcard data source). */
  address: string | null;
  startBlock: number;
}

/** The store file of a deployment inside a data directory. */
export function storePath(dataDir: string, subgraph: string, network: string): string {
  return join(dataDir, subgraph, `${network}.sqlite`);
}

/** A content hash of the compiled subgraph: manifest, schema, ABIs and wasm. */
export function deploymentHash(buildDir: string): string {
  const hash = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(buildDir, path) + '\0').update(readFileSync(path));
    }
  };
  walk(buildDir);
  return hash.digest('hex');
}

/** Context entities are kept as JSON of [field, kind, text] triples. */
function contextToJson(context: EntityData | null): string | null {
  if (!context) return null;
  return JSON.stringify(
    [...context].map(([k, v]) => {
      if (v.kind === 'List') throw new NonDeterministicError(`data source context field ${k} is a list; svr keeps scalar context values only`);
      const text =
        v.kind === 'BigDecimal' ? encodeSortableDecimal(v.value) : v.kind === 'Bytes' ? Buffer.from(v.value).toString('hex') : v.kind === 'Null' ? null : String(v.value);
      return [k, v.kind, text];
    }),
  );
}

function contextFromJson(text: string | null): EntityData | null {
  if (text === null) return null;
  const out: EntityData = new Map();
  for (const [k, kind, raw] of JSON.parse(text) as Array<[string, Value['kind'], string | null]>) {
    let v: Value;
    switch (kind) {
      case 'BigDecimal':
        v = { kind, value: decodeSortableDecimal(raw!) };
        break;
      case 'Bytes':
        v = { kind, value: new Uint8Array(Buffer.from(raw!, 'hex')) };
        break;
      case 'BigInt':
      case 'Int8':
      case 'Timestamp':
        v = { kind, value: BigInt(raw!) };
        break;
      case 'Int':
        v = { kind, value: Number(raw) };
        break;
      case 'Bool':
        v = { kind, value: raw === 'true' };
        break;
      case 'String':
        v = { kind, value: raw! };
        break;
      default:
        v = { kind: 'Null' };
    }
    out.set(k, v);
  }
  return out;
}

export function headerToEthBlock(header: BlockHeader): EthBlock {
  const x = header as BlockHeader & Record<string, unknown>;
  const big = (v: unknown) => (typeof v === 'string' && v !== '' ? BigInt(v) : undefined);
  return {
    hash: header.hash,
    // An unknown parent (an unlinked blocks file) reaches the mapping as empty bytes, not a made-up hash.
    parentHash: header.parentHash ?? '0x',
    number: header.number,
    timestamp: header.timestamp,
    unclesHash: x.sha3Uncles as string | undefined,
    author: x.miner as string | undefined,
    stateRoot: x.stateRoot as string | undefined,
    transactionsRoot: x.transactionsRoot as string | undefined,
    receiptsRoot: x.receiptsRoot as string | undefined,
    gasUsed: big(x.gasUsed),
    gasLimit: big(x.gasLimit),
    difficulty: big(x.difficulty),
    totalDifficulty: big(x.totalDifficulty),
    size: big(x.size),
    baseFeePerGas: big(x.baseFeePerGas),
  };
}

export class Deployment {
  readonly manifest: Manifest;
  readonly store: SqliteStore;
  readonly network: string;
  readonly subgraph: string;
  private readonly dataSources: RunningDataSource[] = [];
  private readonly instances = new Map<string, MappingInstance>();
  private readonly calls: CallSource;
  private readonly latest: LatestEntityCache;
  private readonly onLog: NonNullable<DeploymentOptions['onLog']>;
  private readonly layout: TriggerLayout;
  /** graph-node refuses fields the schema does not define from apiVersion 0.0.8 on. */
  private readonly rejectUnknownFields: boolean;

  constructor(options: DeploymentOptions) {
    this.manifest = loadManifest(options.manifestPath);
    this.layout = triggerLayout(this.manifest.apiVersion);
    this.rejectUnknownFields = apiVersionAtLeast(this.manifest.apiVersion, '0.0.8');
    this.network = this.manifest.network;
    this.subgraph = options.subgraph;
    this.calls = options.calls ?? noCallSource;
    this.onLog = options.onLog ?? (() => {});
    const path = storePath(options.dataDir, options.subgraph, this.network);
    mkdirSync(dirname(path), { recursive: true });
    this.store = SqliteStore.open(path, this.manifest.schema, {
      deployment: deploymentHash(this.manifest.buildDir),
      subgraph: options.subgraph,
      network: this.network,
      startBlock: this.startBlock(),
    });
    this.latest = new LatestEntityCache(this.store);
    for (const spec of this.manifest.dataSources) {
      this.dataSources.push(this.running(spec, spec.address, spec.startBlock, null));
    }
    for (const stored of this.store.dataSources()) {
      this.dataSources.push(this.fromTemplate(stored));
    }
  }

  /** The first block any data source needs. */
  startBlock(): number {
    return Math.min(...this.manifest.dataSources.map((d) => d.startBlock));
  }

  /** The running data sources, manifest ones first, then those created from templates, in creation order. */
  dataSourceFilters(): DataSourceFilter[] {
    return this.dataSources.map((ds) => ({ spec: ds.spec, address: ds.address, startBlock: ds.startBlock }));
  }

  /** The last committed block, or null before the first. */
  head(): { number: number; hash: string } | null {
    return this.store.head();
  }

  private failed: IndexingError | null | undefined;

  /** The deterministic error that stopped this deployment, if any. */
  failure(): IndexingError | null {
    if (this.failed === undefined) this.failed = this.store.errors().find((e) => e.deterministic) ?? null;
    return this.failed;
  }

  private instance(spec: DataSourceSpec): MappingInstance {
    let inst = this.instances.get(spec.wasmPath);
    if (!inst) {
      inst = new MappingInstance(spec.wasmPath);
      this.instances.set(spec.wasmPath, inst);
    }
    return inst;
  }

  private running(spec: DataSourceSpec, address: string | null, startBlock: number, context: EntityData | null): RunningDataSource {
    return {
      spec,
      address,
      startBlock,
      context,
      instance: this.instance(spec),
      info: {
        name: spec.name,
        abis: spec.abis,
        address,
        network: this.network,
        context,
        templates: this.manifest.templates.map((t) => t.name),
      },
    };
  }

  private fromTemplate(stored: StoredDataSource): RunningDataSource {
    const template = this.manifest.templates.find((t) => t.name === stored.template);
    if (!template) {
      throw new StoreError('UNKNOWN_TEMPLATE', `the store has a data source from template ${stored.template}, which the manifest no longer has`);
    }
    return this.running(template, stored.address, stored.creationBlock, contextFromJson(stored.context));
  }

  /**
   * Runs a block's triggers and commits its changes. A deterministic mapping
   * error is recorded against the block and thrown as IndexingFailedError; the
   * block's changes are not applied. A non-deterministic error is thrown as
   * is, with nothing recorded.
   */
  processBlock(block: BlockWithLogs, options: ProcessBlockOptions = {}): BlockResult {
    const failure = this.failure();
    if (failure) throw new IndexingFailedError(failure);
    const header = block.header;
    const number = Number(header.number);
    const ethBlock = headerToEthBlock(header);
    const cache = new EntityCache(this.store.schema, this.latest, this.rejectUnknownFields, number, Number(header.timestamp));
    const created: StoredDataSource[] = [];
    let pending: RunningDataSource[] = [];
    let triggers = 0;

    const makeContext = (ds: RunningDataSource): HostContext => ({
      entities: cache,
      block: ethBlock,
      dataSource: ds.info,
      calls: this.calls,
      apiVersion: this.manifest.apiVersion,
      createDataSource: (template, params, context) => {
        const spec = this.manifest.templates.find((t) => t.name === template)!;
        const address = (params[0] ?? '').toLowerCase();
        created.push({ template, address, params, context: contextToJson(context), creationBlock: number });
        pending.push(this.running(spec, address, number, context));
      },
      log: (level, message) => this.onLog(level, message, ds.spec.name),
    });

    const runOn = (sources: RunningDataSource[]) => {
      const active = sources.filter((ds) => ds.startBlock <= number && (ds.spec.endBlock === null || number <= ds.spec.endBlock));
      // Block handlers with a `once` filter run first (graph-node's Start trigger).
      for (const ds of active) {
        const h = ds.spec.blockHandlers.find((b) => b.filter.kind === 'once');
        if (h && number === ds.startBlock) {
          triggers++;
          this.run(ds, h.handler, makeContext(ds), header, (heap) => writeBlock(heap, ethBlock, this.layout));
        }
      }
      for (const log of block.logs) {
        for (const ds of active) {
          if (ds.address !== null && ds.address !== log.address) continue;
          const match = this.matchLog(ds, log, header, block);
          if (!match) continue;
          triggers++;
          const tx = block.transactions?.get(log.transactionHash) ?? { hash: log.transactionHash, index: BigInt(log.transactionIndex) };
          const receipt = match.handler.receipt ? block.receipts!.get(log.transactionHash)! : null;
          this.run(ds, match.handler.handler, makeContext(ds), header, (heap) => writeEvent(heap, log, match.params, ethBlock, tx, receipt, this.layout));
        }
      }
      // Every-block and polling handlers run last (graph-node's End trigger).
      for (const ds of active) {
        const h = ds.spec.blockHandlers.find(
          (b) => b.filter.kind === 'every' || (b.filter.kind === 'polling' && (number - ds.startBlock) % b.filter.every === 0),
        );
        if (h) {
          triggers++;
          this.run(ds, h.handler, makeContext(ds), header, (heap) => writeBlock(heap, ethBlock, this.layout));
        }
      }
    };

    const dataSourcesBefore = this.dataSources.length;
    let modifications;
    try {
      runOn(this.dataSources);
      // Data sources created in this block also see this block, breadth first, in creation order.
      while (pending.length > 0) {
        const fresh = pending;
        pending = [];
        this.dataSources.push(...fresh);
        runOn(fresh);
      }
      if (created.length > 0) options.beforeCommit?.(created);
      modifications = cache.modifications();
      this.store.commitBlock(
        { number, hash: header.hash, parentHash: header.parentHash, timestamp: Number(header.timestamp) },
        modifications,
        created,
      );
      this.latest.applyCommitted(modifications);
    } catch (e) {
      this.latest.clear();
      // Nothing of a failed block stays, data sources it created included.
      this.dataSources.length = dataSourcesBefore;
      // Writing the block failed for a reason of the mapping's making (a required field left null,
      // an immutable entity written twice, an aggregate too large for its column): a deterministic error.
      if ((e instanceof StoreError && e.code === 'IMMUTABLE_ENTITY') || e instanceof RollupError || (e instanceof RuntimeError && !(e instanceof NonDeterministicError))) {
        this.fail(header, '(store)', e);
      }
      throw e;
    }
    return { triggers, modifications: modifications.length };
  }

  private matchLog(ds: RunningDataSource, log: Log, header: BlockHeader, block: BlockWithLogs): { handler: EventHandler; params: EventParam[] } | null {
    const topic0 = log.topics[0];
    if (!topic0) return null;
    const matches: Array<{ handler: EventHandler; params: EventParam[] }> = [];
    for (const handler of ds.spec.eventHandlers) {
      if (handler.topic0 !== topic0) continue;
      if (handler.topics.some((filter, i) => filter !== null && !filter.includes(log.topics[i + 1] ?? ''))) continue;
      if (handler.receipt && !block.receipts?.has(log.transactionHash)) {
        throw new NonDeterministicError(
          block.receipts
            ? `handler ${handler.handler} asks for the receipt of transaction ${log.transactionHash}, which the ingest did not fetch`
            : `handler ${handler.handler} asks for the transaction receipt (receipt: true), which NDJSON log files do not carry: index from an RPC node (--rpc)`,
        );
      }
      const params = handler.decode(log.topics, log.data);
      // graph-node skips handlers whose event ABI cannot decode the log (indexed vs not, overloads).
      if (!params) continue;
      matches.push({ handler, params });
    }
    if (matches.length > 1) {
      this.fail(header, matches[0].handler.handler, new RuntimeError(`Multiple handlers defined for event \`${matches[0].handler.event}\`, only one is supported`));
    }
    return matches[0] ?? null;
  }

  private run(ds: RunningDataSource, handler: string, ctx: HostContext, header: BlockHeader, write: Parameters<MappingInstance['run']>[2]): void {
    try {
      ds.instance.run(handler, ctx, write);
    } catch (e) {
      if (e instanceof NonDeterministicError) throw e;
      this.fail(header, handler, e as Error);
    }
  }

  private fail(header: BlockHeader, handler: string, e: Error): never {
    const error: IndexingError = {
      blockNumber: Number(header.number),
      blockHash: header.hash,
      handler,
      message: e.message,
      deterministic: true,
    };
    this.store.recordError(error);
    this.failed = error;
    throw new IndexingFailedError(error);
  }

  /** Rolls the deployment back to `blockNumber`: the store, the data sources created since, the caches. */
  revertTo(blockNumber: number): void {
    this.store.revertTo(blockNumber);
    this.latest.clear();
    this.failed = undefined;
    this.dataSources.length = this.manifest.dataSources.length;
    for (const stored of this.store.dataSources()) this.dataSources.push(this.fromTemplate(stored));
  }

  close(): void {
    this.store.close();
  }
}
