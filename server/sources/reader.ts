/**
 * Reading the sources for one gateway request.
 *
 * - Consistency: each source is read at one block. `head()` takes it from the
 *   source's `_meta` (cached for a short time to live) and every later read in
 *   the request pins `block: { hash }` to it, so a source's figures never mix
 *   two blocks, even while it indexes or reorganizes.
 * - Batching: one DataLoader per source per request. The root fields asked of
 *   a source in the same tick go out as one GraphQL document, each under its
 *   own alias.
 * - Caching: a read pinned to a block answers the same until that block is
 *   reorganized away, so it is cached under the block's hash with a long time
 *   to live; the head's `_meta` has a short one (stale-while-revalidate).
 * - Pagination: `id_gt` cursors, 1,000 entities a page, never `skip`.
 */
import DataLoader from 'dataloader';
import type { CachePolicy, Cached, ResponseCache } from './cache';
import { SourceError } from './errors';
import { postGraphQL, type HttpOptions } from './http';
import { sourceKey, type SourceDefinition, type SourceRegistry } from './registry';

export interface ReaderOptions {
  http: HttpOptions;
  /** The head's `_meta`: how long a source's latest block is reused. */
  head: CachePolicy;
  /** Reads pinned to a block hash or number. */
  pinned: CachePolicy;
}

export const DEFAULT_READER_OPTIONS: ReaderOptions = {
  http: { timeoutMs: 5_000, retries: 2, retryDelayMs: 100 },
  head: { ttlMs: 2_000, staleMs: 300_000, revalidateWaitMs: 250 },
  pinned: { ttlMs: 3_600_000, staleMs: 0 },
};

/** The block a source is read at. */
export interface BlockPin {
  number: number;
  /** Null when pinned by number (graph-node then does not report the hash). */
  hash: string | null;
  /** Unix seconds; null when the source does not know the block's time. */
  timestamp: number | null;
  /** True when the head came from a cache entry past its time to live (the source may be failing). */
  stale: boolean;
  /** Milliseconds since the head was read from the source. */
  ageMs: number;
  hasIndexingErrors: boolean;
  deployment: string | null;
}

interface MetaAnswer {
  block: { number: number; hash: string | null; timestamp: number | null } | null;
  hasIndexingErrors: boolean;
  deployment: string | null;
}

/** What graph-node's index-node says of a deployment. */
export interface IndexingStatus {
  /** The chain's head block, as graph-node last saw it. */
  chainHead: number | null;
  /** The deployment's latest indexed block. */
  latest: number | null;
  synced: boolean;
  /** healthy, unhealthy or failed. */
  health: string;
}

/** A GraphQL string literal. */
export function gqlString(value: string): string {
  return JSON.stringify(value);
}

export function blockArgument(pin: BlockPin): string {
  return pin.hash ? `{ hash: ${gqlString(pin.hash)} }` : `{ number: ${pin.number} }`;
}

const PAGE = 1000;
/** A bound on pages per collection: 1,000 x 1,000 entities. */
const MAX_PAGES = 1000;

export class Sources {
  constructor(
    readonly registry: SourceRegistry,
    readonly cache: ResponseCache,
    readonly options: ReaderOptions = DEFAULT_READER_OPTIONS,
  ) {}

  forRequest(signal?: AbortSignal): RequestSources {
    return new RequestSources(this, signal);
  }

  /**
   * A source committed a new block (a follower's head feed): its cached head goes, so the next
   * request reads `_meta` afresh and pins the new block, and whole answers kept under the old
   * block's hash (gateway/whole-responses.ts) stop matching. Resolves once the entry is gone.
   */
  headMoved(protocol: string, network: string): Promise<void> {
    const source = this.registry.get(protocol, network);
    return source ? this.cache.forget(headKey(source)) : Promise.resolve();
  }
}

/** The cache key of a source's `_meta` head. */
function headKey(source: SourceDefinition): string {
  return `head|${source.url}`;
}

/** What one request read: each source it asked anything of, with the head it pinned there (null: read without a pin). */
export type ReadSet = Map<string, BlockPin | null>;

export class RequestSources {
  private readonly loaders = new Map<string, DataLoader<string, Cached<unknown>>>();
  private readonly heads = new Map<string, Promise<BlockPin>>();
  private readonly read: ReadSet = new Map();
  /** Set once the request read something no block pins (the index-node's status: the chain head moves on its own). */
  private readUnpinned = false;

  constructor(
    private readonly sources: Sources,
    private readonly signal?: AbortSignal,
  ) {}

  get registry(): SourceRegistry {
    return this.sources.registry;
  }

  /**
   * Every source this request read, by source key, with the head its reads
   * were pinned to (null when none was), so that an answer can be cached under
   * those blocks (gateway/whole-responses.ts).
   */
  readSet(): ReadSet {
    return this.read;
  }

  /** True once the request read what no block pins (index-node status): its answer holds only for now. */
  get readBeyondBlocks(): boolean {
    return this.readUnpinned;
  }

  /** The request read what no block pins (alert state, index-node status): its answer holds only for now and is not kept. */
  readsBeyondBlocks(): void {
    this.readUnpinned = true;
  }

  private touch(source: SourceDefinition): void {
    const key = sourceKey(source);
    if (!this.read.has(key)) this.read.set(key, null);
  }

  private loader(source: SourceDefinition): DataLoader<string, Cached<unknown>> {
    const key = sourceKey(source);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader((fields) => this.batch(source, fields), { maxBatchSize: 50 });
      this.loaders.set(key, loader);
    }
    return loader;
  }

  private async batch(source: SourceDefinition, fields: readonly string[]): Promise<Array<Cached<unknown> | Error>> {
    const { cache, options } = this.sources;
    const keys = fields.map((f) => `q|${source.url}|${f}`);
    return cache.getMany(keys, options.pinned, async (indexes) => {
      const query = `query svr_gateway {\n${indexes.map((i, n) => `  f${n}: ${fields[i]}`).join('\n')}\n}`;
      const response = await postGraphQL(source, query, options.http, this.signal);
      const failures = new Map<string, string[]>();
      const general: string[] = [];
      for (const e of response.errors ?? []) {
        const alias = typeof e.path?.[0] === 'string' ? e.path[0] : null;
        if (alias) failures.set(alias, [...(failures.get(alias) ?? []), e.message]);
        else general.push(e.message);
      }
      return indexes.map((_, n) => {
        const alias = `f${n}`;
        const messages = [...general, ...(failures.get(alias) ?? [])];
        if (messages.length || !response.data || !(alias in response.data)) {
          return new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), messages.join('; ') || 'the answer left out a field it was asked for');
        }
        return response.data[alias];
      });
    });
  }

  /** The source's latest indexed block, read once per request. */
  head(source: SourceDefinition): Promise<BlockPin> {
    const key = sourceKey(source);
    let pin = this.heads.get(key);
    if (!pin) {
      this.touch(source);
      pin = this.readHead(source).then((p) => (this.read.set(key, p), p));
      this.heads.set(key, pin);
    }
    return pin;
  }

  private async readHead(source: SourceDefinition): Promise<BlockPin> {
    const { cache, options } = this.sources;
    const cached = await cache.get(headKey(source), options.head, async () => {
      const response = await postGraphQL(source, '{ _meta { block { number hash timestamp } hasIndexingErrors deployment } }', options.http, this.signal);
      const meta = (response.data?._meta ?? null) as MetaAnswer | null;
      if (response.errors?.length || !meta) {
        throw new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), response.errors?.map((e) => e.message).join('; ') || 'no _meta in the answer');
      }
      return meta;
    });
    const meta = cached.value;
    if (!meta.block) throw new SourceError('NO_DATA', sourceKey(source), 'has not indexed any block yet');
    return {
      number: meta.block.number,
      hash: meta.block.hash,
      timestamp: meta.block.timestamp ?? null,
      stale: cached.stale,
      ageMs: cached.ageMs,
      hasIndexingErrors: meta.hasIndexingErrors,
      deployment: meta.deployment ?? null,
    };
  }

  /**
   * The deployment's indexing status from graph-node's index-node API
   * (`indexingStatuses`), when the source has a statusUrl; null otherwise.
   */
  async status(source: SourceDefinition): Promise<IndexingStatus | null> {
    if (!source.statusUrl) return null;
    this.readUnpinned = true;
    const head = await this.head(source);
    if (!head.deployment) return null;
    const { cache, options } = this.sources;
    const statusSource = { ...source, url: source.statusUrl };
    const cached = await cache.get(`status|${source.statusUrl}|${head.deployment}`, options.head, async () => {
      const response = await postGraphQL(
        statusSource,
        `{ indexingStatuses(subgraphs: [${gqlString(head.deployment!)}]) { synced health chains { chainHeadBlock { number } latestBlock { number } } } }`,
        options.http,
        this.signal,
      );
      type Row = { synced: boolean; health: string; chains: Array<{ chainHeadBlock: { number: string } | null; latestBlock: { number: string } | null }> };
      const row = (response.data?.indexingStatuses as Row[] | undefined)?.[0];
      if (response.errors?.length || !row) {
        throw new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), `index-node status: ${response.errors?.map((e) => e.message).join('; ') || 'no status for the deployment'}`);
      }
      const chain = row.chains[0];
      return {
        chainHead: chain?.chainHeadBlock ? Number(chain.chainHeadBlock.number) : null,
        latest: chain?.latestBlock ? Number(chain.latestBlock.number) : null,
        synced: row.synced,
        health: row.health,
      } satisfies IndexingStatus;
    });
    return cached.value;
  }

  /** A pin at a past block number, with that block's hash and time when the source knows them. */
  async atBlock(source: SourceDefinition, number: number): Promise<BlockPin> {
    const head = await this.head(source);
    if (number > head.number) {
      throw new SourceError('NO_DATA', sourceKey(source), `block ${number} is past the latest indexed block ${head.number}`);
    }
    const meta = (await this.fetch<{ block: MetaAnswer['block'] }>(source, `_meta(block: { number: ${number} }) { block { number hash timestamp } }`)).value;
    return { ...head, number, hash: null, timestamp: meta.block?.timestamp ?? null, stale: false, ageMs: 0 };
  }

  /** One root field (with its arguments and selection, including any `block` argument), batched with the request's others. */
  fetch<T>(source: SourceDefinition, field: string): Promise<Cached<T>> {
    this.touch(source);
    return this.loader(source).load(field) as Promise<Cached<T>>;
  }

  /**
   * Every entity of a collection at the pinned block, by `id_gt` cursor.
   * `where` is the inside of a where object (e.g. `isOpen: true`), or empty.
   * More than `maxRows` matching entities (default: PAGE x MAX_PAGES) is a
   * NO_DATA error, read no further than the page that passes it.
   */
  async all<T extends { id: string }>(source: SourceDefinition, collection: string, selection: string, pin: BlockPin, where = '', maxRows = PAGE * MAX_PAGES): Promise<Cached<T[]>> {
    const rows: T[] = [];
    let stale = false;
    let ageMs = 0;
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES && rows.length <= maxRows; page++) {
      const filter: string = [cursor !== null ? `id_gt: ${gqlString(cursor)}` : '', where].filter(Boolean).join(', ');
      const field =
        `${collection}(first: ${PAGE}, orderBy: id, orderDirection: asc, block: ${blockArgument(pin)}` +
        `${filter ? `, where: { ${filter} }` : ''}) { id ${selection} }`;
      const got: Cached<T[]> = await this.fetch<T[]>(source, field);
      stale ||= got.stale;
      ageMs = Math.max(ageMs, got.ageMs);
      rows.push(...got.value);
      if (got.value.length < PAGE && rows.length <= maxRows) return { value: rows, stale, ageMs };
      cursor = got.value[got.value.length - 1].id;
    }
    throw new SourceError('NO_DATA', sourceKey(source), `${collection} has more than ${Math.min(maxRows, PAGE * MAX_PAGES)} entities${where ? ` where ${where}` : ''}; narrow the query`);
  }
}
