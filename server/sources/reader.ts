/**
 * Reading the sources for one gateway request.
 *
 * - Consistency: each source is read at one block, its head as the request
 *   first reads it. Reads at the head (`HEAD`) that find no head yet go out
 *   with no `block` argument in one document with `_meta`: graph-node runs
 *   consecutive root fields of the same block constraint at one block, which
 *   `_meta` reports (hash and all), so the head and the data arrive in one
 *   round trip. Every later read in the request pins `block: { hash }` to that
 *   head, so a source's figures never mix two blocks, even while it indexes or
 *   reorganizes. The head is cached for a short time to live; within it, reads
 *   at the head are pinned to the cached one.
 * - Batching: one DataLoader per source per request. The root fields asked of
 *   a source in the same tick go out as one GraphQL document, each under its
 *   own alias.
 * - Caching: a read pinned to a block answers the same until that block is
 *   reorganized away, so it is cached under the block's hash with a long time
 *   to live (a read at the head, once the head is known, under the head's
 *   hash); the head's `_meta` has a short one (stale-while-revalidate).
 * - Pagination: `id_gt` cursors, 1,000 entities a page, never `skip`.
 */
import DataLoader from 'dataloader';
import { setMaxListeners } from 'node:events';
import type { CachePolicy, Cached, ResponseCache } from './cache';
import { SourceError } from './errors';
import { postGraphQL, type GraphQLResponseBody, type HttpOptions } from './http';
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

export function blockArgument(pin: Pick<BlockPin, 'number' | 'hash'>): string {
  return pin.hash ? `{ hash: ${gqlString(pin.hash)} }` : `{ number: ${pin.number} }`;
}

/** Where a read is made: at a pinned block, or at the source's head as this request first reads it. */
export const HEAD = 'head';
export type ReadAt = BlockPin | typeof HEAD;

/** A root field of a source's schema, written without its `block` argument (the reader adds it). */
export interface RootField {
  name: string;
  /** The arguments but `block`, as GraphQL text (`first: 2`), or empty. */
  args: string;
  selection: string;
}

/** The field as GraphQL text at `block` (a block argument's value), or with no block argument (the latest block). */
function renderField(field: RootField, block: string | null): string {
  const args = [field.args, block === null ? '' : `block: ${block}`].filter(Boolean).join(', ');
  return `${field.name}${args ? `(${args})` : ''} { ${field.selection} }`;
}

const META_SELECTION = '_meta { block { number hash timestamp } hasIndexingErrors deployment }';

/** What a request asks a source's loader for: its head, a root field at the head, or a root field as written (pinned, or not about blocks). */
type Load = { kind: 'head' } | { kind: 'at-head'; field: RootField } | { kind: 'text'; text: string };

function loadKey(load: Load): string {
  return load.kind === 'head' ? 'head' : load.kind === 'at-head' ? `at-head|${renderField(load.field, null)}` : `text|${load.text}`;
}

/** The answer of one aliased field of a batched document, or the error that names why it has none. */
function aliasAnswer(source: SourceDefinition, response: GraphQLResponseBody, alias: string): unknown {
  const messages: string[] = [];
  for (const e of response.errors ?? []) {
    const at = typeof e.path?.[0] === 'string' ? e.path[0] : null;
    if (at === null || at === alias) messages.push(e.message);
  }
  if (messages.length || !response.data || !(alias in response.data)) {
    return new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), messages.join('; ') || 'the answer left out a field it was asked for');
  }
  return response.data[alias];
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
  private readonly loaders = new Map<string, DataLoader<Load, Cached<unknown>, string>>();
  /** Each source's head for this request, once a batch set out to read it. */
  private readonly heads = new Map<string, Promise<BlockPin>>();
  private readonly pins: ReadSet = new Map();
  /** Set once the request read something no block pins (the index-node's status: the chain head moves on its own). */
  private readUnpinned = false;

  constructor(
    private readonly sources: Sources,
    private readonly signal?: AbortSignal,
  ) {
    // Each upstream request in flight listens to the signal: a fan-out over more than ten sources is no leak.
    if (signal) setMaxListeners(0, signal);
  }

  get registry(): SourceRegistry {
    return this.sources.registry;
  }

  /**
   * Every source this request read, by source key, with the head its reads
   * were pinned to (null when none was), so that an answer can be cached under
   * those blocks (gateway/whole-responses.ts).
   */
  readSet(): ReadSet {
    return this.pins;
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
    if (!this.pins.has(key)) this.pins.set(key, null);
  }

  private loader(source: SourceDefinition): DataLoader<Load, Cached<unknown>, string> {
    const key = sourceKey(source);
    let loader = this.loaders.get(key);
    if (!loader) {
      loader = new DataLoader((loads) => this.batch(source, loads), { maxBatchSize: 50, cacheKeyFn: loadKey });
      this.loaders.set(key, loader);
    }
    return loader;
  }

  /** One tick's loads of a source: the fields as written in one document; the head and the fields at it in another (see headBatch). */
  private async batch(source: SourceDefinition, loads: readonly Load[]): Promise<Array<Cached<unknown> | Error>> {
    const texts: number[] = [];
    const atHead: number[] = [];
    loads.forEach((l, i) => (l.kind === 'text' ? texts : atHead).push(i));
    const [written, headed] = await Promise.all([
      texts.length ? this.pinnedBatch(source, texts.map((i) => (loads[i] as Extract<Load, { kind: 'text' }>).text)) : [],
      atHead.length ? this.headBatch(source, atHead.map((i) => loads[i])) : [],
    ]);
    const out = new Array<Cached<unknown> | Error>(loads.length);
    texts.forEach((i, n) => (out[i] = written[n]));
    atHead.forEach((i, n) => (out[i] = headed[n]));
    return out;
  }

  /** Root fields as written (each with its own block argument), from the pinned cache or in one document. */
  private async pinnedBatch(source: SourceDefinition, fields: readonly string[]): Promise<Array<Cached<unknown> | Error>> {
    const { cache, options } = this.sources;
    return cache.getMany(
      fields.map((f) => fieldKey(source, f)),
      options.pinned,
      async (indexes) => {
        const query = `query svr_gateway {\n${indexes.map((i, n) => `  f${n}: ${fields[i]}`).join('\n')}\n}`;
        const response = await postGraphQL(source, query, options.http, this.signal);
        return indexes.map((_, n) => aliasAnswer(source, response, `f${n}`) as unknown);
      },
    );
  }

  /**
   * The head and the fields asked at it. The first batch of the request to need the head reads it:
   * from the head cache while fresh (the fields then pinned to it), or else in one document with
   * the fields at the latest block, whose answers are then kept under the head's hash like any read
   * pinned to it. Later batches pin their fields to the head so read.
   */
  private async headBatch(source: SourceDefinition, loads: readonly Load[]): Promise<Array<Cached<unknown> | Error>> {
    const key = sourceKey(source);
    const fields = loads.flatMap((l) => (l.kind === 'at-head' ? [l.field] : []));
    let head = this.heads.get(key);
    const inDocument: { answers: unknown[] | null } = { answers: null };
    if (!head) {
      head = this.readHead(source, fields, inDocument);
      this.heads.set(key, head);
    }
    let pin: BlockPin;
    try {
      pin = await head;
    } catch (e) {
      return loads.map(() => e as Error);
    }
    this.pins.set(key, pin);
    const answers: Array<Cached<unknown> | Error> = inDocument.answers
      ? inDocument.answers.map((a) => (a instanceof Error ? a : { value: a, stale: false, ageMs: 0 }))
      : fields.length
        ? await this.pinnedBatch(source, fields.map((f) => renderField(f, blockArgument(pin))))
        : [];
    let n = 0;
    return loads.map((l) => (l.kind === 'head' ? { value: pin, stale: pin.stale, ageMs: pin.ageMs } : answers[n++]));
  }

  /**
   * The source's head, through the head cache. When the cache has to read it (no entry, or one past
   * its time to live), the document carries `fields` at the latest block beside `_meta`; their answers
   * go to `inDocument` when the head returned is the one that document read.
   */
  private async readHead(source: SourceDefinition, fields: readonly RootField[], inDocument: { answers: unknown[] | null }): Promise<BlockPin> {
    const { cache, options } = this.sources;
    let read: { meta: MetaAnswer; answers: unknown[] } | null = null;
    const cached = await cache.get(headKey(source), options.head, async () => {
      const query = fields.length ? `query svr_gateway {\n  ${META_SELECTION}\n${fields.map((f, n) => `  f${n}: ${renderField(f, null)}`).join('\n')}\n}` : `{ ${META_SELECTION} }`;
      const response = await postGraphQL(source, query, options.http, this.signal);
      const meta = (response.data?._meta ?? null) as MetaAnswer | null;
      // The errors about the head: any, when it was asked alone; else those at `_meta` (the others are the fields').
      const errors = (response.errors ?? []).filter((e) => !meta || fields.length === 0 || e.path?.[0] === '_meta');
      if (!meta || errors.length) throw new SourceError('UPSTREAM_QUERY_ERROR', sourceKey(source), errors.map((e) => e.message).join('; ') || 'no _meta in the answer');
      const answers = fields.map((_, n) => aliasAnswer(source, response, `f${n}`));
      // Kept as the same fields pinned to the head's hash, which they were read at.
      const hash = meta.block?.hash;
      if (hash) {
        const at = blockArgument({ number: meta.block!.number, hash });
        await Promise.all(answers.map((a, n) => (a instanceof Error ? undefined : cache.put(fieldKey(source, renderField(fields[n], at)), a, options.pinned))));
      }
      read = { meta, answers };
      return meta;
    });
    const own = read as { meta: MetaAnswer; answers: unknown[] } | null;
    if (own && own.meta === cached.value && cached.value.block?.hash) inDocument.answers = own.answers;
    return pinOf(source, cached);
  }

  /**
   * The source's latest indexed block, read once per request: at once while the head cache holds it
   * fresh in memory, else with the reads at the head asked in the same tick (one document).
   */
  head(source: SourceDefinition): Promise<BlockPin> {
    this.touch(source);
    const key = sourceKey(source);
    const known = this.heads.get(key);
    if (known) return known;
    const fresh = this.sources.cache.fresh<MetaAnswer>(headKey(source), this.sources.options.head);
    if (fresh) {
      let head: Promise<BlockPin>;
      try {
        const pin = pinOf(source, fresh);
        this.pins.set(key, pin);
        head = Promise.resolve(pin);
      } catch (e) {
        head = Promise.reject(e as Error);
      }
      this.heads.set(key, head);
      return head;
    }
    return this.loader(source)
      .load({ kind: 'head' })
      .then((c) => c.value as BlockPin);
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

  /** One root field as written (with its arguments and selection, including any `block` argument), batched with the request's others. */
  fetch<T>(source: SourceDefinition, field: string): Promise<Cached<T>> {
    this.touch(source);
    return this.loader(source).load({ kind: 'text', text: field }) as Promise<Cached<T>>;
  }

  /** One root field at a pinned block or at the head, batched with the request's others. */
  read<T>(source: SourceDefinition, at: ReadAt, field: RootField): Promise<Cached<T>> {
    if (at !== HEAD) return this.fetch<T>(source, renderField(field, blockArgument(at)));
    this.touch(source);
    return this.loader(source).load({ kind: 'at-head', field }) as Promise<Cached<T>>;
  }

  /**
   * Every entity of a collection at the pinned block (or the head), by `id_gt` cursor.
   * `where` is the inside of a where object (e.g. `isOpen: true`), or empty.
   * More than `maxRows` matching entities (default: PAGE x MAX_PAGES) is a
   * NO_DATA error, read no further than the page that passes it.
   */
  async all<T extends { id: string }>(source: SourceDefinition, collection: string, selection: string, at: ReadAt, where = '', maxRows = PAGE * MAX_PAGES): Promise<Cached<T[]>> {
    const rows: T[] = [];
    let stale = false;
    let ageMs = 0;
    let cursor: string | null = null;
    for (let page = 0; page < MAX_PAGES && rows.length <= maxRows; page++) {
      const filter: string = [cursor !== null ? `id_gt: ${gqlString(cursor)}` : '', where].filter(Boolean).join(', ');
      const args = `first: ${PAGE}, orderBy: id, orderDirection: asc${filter ? `, where: { ${filter} }` : ''}`;
      // Past the first page, the head is known: the pages are pinned to it.
      const got: Cached<T[]> = await this.read<T[]>(source, page === 0 || at !== HEAD ? at : await this.head(source), { name: collection, args, selection: `id ${selection}` });
      stale ||= got.stale;
      ageMs = Math.max(ageMs, got.ageMs);
      rows.push(...got.value);
      if (got.value.length < PAGE && rows.length <= maxRows) return { value: rows, stale, ageMs };
      cursor = got.value[got.value.length - 1].id;
    }
    throw new SourceError('NO_DATA', sourceKey(source), `${collection} has more than ${Math.min(maxRows, PAGE * MAX_PAGES)} entities${where ? ` where ${where}` : ''}; narrow the query`);
  }
}

/** The pin of a head read from `_meta`; a source that has indexed no block yet has none. */
function pinOf(source: SourceDefinition, cached: Cached<MetaAnswer>): BlockPin {
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

/** The cache key of a root field read from a source as written. */
function fieldKey(source: SourceDefinition, field: string): string {
  return `q|${source.url}|${field}`;
}
