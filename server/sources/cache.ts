/**
 * The response cache in front of the sources: in memory by default, or shared
 * through Redis (keyv with @keyv/redis) when a Redis URL is given, so gateway
 * replicas share it.
 *
 * - Fresh entries (younger than their time to live) are served as they are.
 * - Stale entries (past the time to live, within the stale window) are served
 *   at once, marked stale with their age, and refreshed in the background
 *   (stale-while-revalidate). When the source is failing, the stale entry is
 *   what keeps the answer alive until the window closes.
 * - One load per key is in flight in this process at a time: concurrent
 *   requests for the same key wait for the same load.
 * - A cache that fails (Redis down) is bypassed, never fatal: the sources
 *   are read directly and the failure is reported once per minute.
 * - In memory, the cache is bounded by bytes (least recently used out first):
 *   reads pinned to block hashes make new keys every block, and an expired
 *   entry is dropped only when it is read again (or pushed out).
 */
import Keyv from 'keyv';
import KeyvRedis from '@keyv/redis';

export interface CachePolicy {
  /** Milliseconds an entry is fresh. */
  ttlMs: number;
  /** Milliseconds past the time to live during which a stale entry may still be served. */
  staleMs: number;
  /**
   * How long a request with a stale entry waits for its refresh before it is
   * served the stale entry (default 0: at once). A healthy source answers
   * within it, so answers stay fresh; a failing one costs at most this long.
   */
  revalidateWaitMs?: number;
}

export interface Cached<T> {
  value: T;
  /** True when served past its time to live. */
  stale: boolean;
  /** Milliseconds since the value was read from its source. */
  ageMs: number;
}

interface Entry<T> {
  v: T;
  /** When it was read from the source (ms since the epoch). */
  t: number;
}

export interface CacheOptions {
  /** redis://host:port; absent: an in-process memory cache. */
  redisUrl?: string;
  /** Key prefix, so several deployments can share a Redis. */
  namespace?: string;
  /** Milliseconds a cache read or write may take before the cache is bypassed (default 500). */
  timeoutMs?: number;
  /** The in-memory cache's bound, bytes (default 64 MiB); Redis keeps its own (maxmemory). */
  memoryBytes?: number;
  onError?: (error: Error) => void;
}

export const DEFAULT_MEMORY_CACHE_BYTES = 64 * 1024 * 1024;

/** A value's share of memory: its JSON text, two bytes a character; what cannot be serialized counts as 1 KiB. */
function weigh(value: unknown): number {
  try {
    return 2 * (JSON.stringify(value)?.length ?? 0) + 64;
  } catch {
    return 1024;
  }
}

/**
 * The in-memory cache's store: a Map bounded by the bytes of its
 * values, least recently used first out. A value of more than a quarter of
 * the bound is not kept. Values are weighed once, when written.
 */
export class ByteBoundedStore {
  private readonly entries = new Map<string, { value: unknown; bytes: number }>();
  bytes = 0;
  constructor(readonly maxBytes: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: string): unknown {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: string, value: unknown): boolean {
    this.delete(key);
    const bytes = weigh(value) + 2 * key.length;
    if (bytes > this.maxBytes / 4) return false;
    while (this.bytes + bytes > this.maxBytes && this.entries.size > 0) {
      const [oldest] = this.entries.keys();
      this.delete(oldest);
    }
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    return true;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  delete(key: string): boolean {
    const hit = this.entries.get(key);
    if (!hit) return false;
    this.entries.delete(key);
    this.bytes -= hit.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}

/** An in-memory entry, with when it expires (ms since the epoch): past it, the entry is gone. */
interface Held {
  entry: Entry<unknown>;
  expires: number;
}

export class ResponseCache {
  /** The Redis client (null in memory). */
  private readonly keyv: Keyv | null;
  private readonly inflight = new Map<string, Promise<unknown>>();
  /** Bumped by forget(): a load that started before it does not write its (older) value after it. */
  private readonly epochs = new Map<string, number>();
  private lastErrorReport = 0;
  private readonly namespace: string;
  readonly stats = { hits: 0, staleHits: 0, misses: 0, loads: 0, errors: 0 };
  /**
   * The in-memory store (null with Redis), read and written directly: it cannot fail or hang, so
   * no client, timeout or error path stands between a warm answer and its entry. Entries are kept
   * as the objects they are (no JSON round trip per hit); nothing mutates a cached value.
   */
  readonly memory: ByteBoundedStore | null;

  constructor(private readonly options: CacheOptions = {}) {
    this.namespace = options.namespace ?? 'svr';
    this.memory = options.redisUrl ? null : new ByteBoundedStore(options.memoryBytes ?? DEFAULT_MEMORY_CACHE_BYTES);
    this.keyv = options.redisUrl
      ? new Keyv({ store: new KeyvRedis(options.redisUrl, { throwOnConnectError: false, connectionTimeout: 2000 }), namespace: this.namespace, throwOnErrors: true })
      : null;
    this.keyv?.on('error', (e: Error) => this.reportError(e));
  }

  get backend(): 'redis' | 'memory' {
    return this.options.redisUrl ? 'redis' : 'memory';
  }

  private reportError(e: Error): void {
    this.stats.errors++;
    const now = Date.now();
    if (now - this.lastErrorReport < 60_000) return;
    this.lastErrorReport = now;
    (this.options.onError ?? ((err: Error) => process.stderr.write(`svr: cache error (reading sources directly): ${err.message}\n`)))(e);
  }

  /** A cache that does not answer in time (Redis unreachable: its client queues commands) counts as failed. */
  private bounded<T>(op: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, fail) => {
      timer = setTimeout(() => fail(new Error(`the ${this.backend} cache did not answer within ${this.options.timeoutMs ?? 500} ms`)), this.options.timeoutMs ?? 500);
      timer.unref();
    });
    return Promise.race([op, limit]).finally(() => clearTimeout(timer));
  }

  private memoryKey(key: string): string {
    return `${this.namespace}:${key}`;
  }

  /** The in-memory entry under `key`, unless it expired (then it goes). */
  private held<T>(key: string): Entry<T> | undefined {
    const at = this.memoryKey(key);
    const held = this.memory!.get(at) as Held | undefined;
    if (!held) return undefined;
    if (held.expires > Date.now()) return held.entry as Entry<T>;
    this.memory!.delete(at);
    return undefined;
  }

  private async read<T>(key: string): Promise<Entry<T> | undefined> {
    if (this.memory) return this.held<T>(key);
    try {
      return (await this.bounded(this.keyv!.get<Entry<T>>(key))) ?? undefined;
    } catch (e) {
      this.reportError(e as Error);
      return undefined;
    }
  }

  private async write<T>(key: string, value: T, policy: CachePolicy): Promise<void> {
    const entry: Entry<T> = { v: value, t: Date.now() };
    if (this.memory) {
      this.memory.set(this.memoryKey(key), { entry, expires: entry.t + policy.ttlMs + policy.staleMs } satisfies Held);
      return;
    }
    try {
      await this.bounded(this.keyv!.set(key, entry, policy.ttlMs + policy.staleMs));
    } catch (e) {
      this.reportError(e as Error);
    }
  }

  /** Loads once per key at a time; stores what it loaded. */
  private load<T>(key: string, policy: CachePolicy, loader: () => Promise<T>): Promise<T> {
    const pending = this.inflight.get(key);
    if (pending) return pending as Promise<T>;
    this.stats.loads++;
    const epoch = this.epochs.get(key) ?? 0;
    const promise = (async () => {
      try {
        const value = await loader();
        if ((this.epochs.get(key) ?? 0) === epoch) await this.write(key, value, policy);
        return value;
      } finally {
        this.inflight.delete(key);
      }
    })();
    this.inflight.set(key, promise);
    return promise;
  }

  async get<T>(key: string, policy: CachePolicy, loader: () => Promise<T>): Promise<Cached<T>> {
    // A load in flight with no entry to fall back on: wait for it. With a stale entry, the
    // stale path below waits for the same load at most revalidateWaitMs (load() joins it),
    // so a slow source (a busy reader pool) does not hold every request of the key.
    const pending = this.inflight.get(key);
    const entry = await this.read<T>(key);
    if (pending && !entry) return { value: (await pending) as T, stale: false, ageMs: 0 };
    const now = Date.now();
    if (entry) {
      const ageMs = Math.max(0, now - entry.t);
      if (ageMs <= policy.ttlMs) {
        this.stats.hits++;
        return { value: entry.v, stale: false, ageMs };
      }
      if (ageMs <= policy.ttlMs + policy.staleMs) {
        // Revalidate; a failure leaves the stale entry in place.
        const refresh = this.load(key, policy, loader);
        refresh.catch(() => undefined);
        if (policy.revalidateWaitMs) {
          let timer: NodeJS.Timeout | undefined;
          const fresh = await Promise.race([
            refresh.then((value) => ({ value }), () => null),
            new Promise<null>((ok) => (timer = setTimeout(() => ok(null), policy.revalidateWaitMs))),
          ]);
          clearTimeout(timer);
          if (fresh) {
            this.stats.misses++;
            return { value: fresh.value, stale: false, ageMs: 0 };
          }
        }
        this.stats.staleHits++;
        return { value: entry.v, stale: true, ageMs };
      }
    }
    this.stats.misses++;
    return { value: await this.load(key, policy, loader), stale: false, ageMs: 0 };
  }

  /**
   * Like `get` for many keys at once, loading every missing one with one call
   * (the loader gets the missing keys' indexes and answers a value or an
   * Error for each), so a batch of misses costs one upstream request.
   */
  async getMany<T>(keys: readonly string[], policy: CachePolicy, loadMany: (indexes: number[]) => Promise<Array<T | Error>>): Promise<Array<Cached<T> | Error>> {
    const out = new Array<Cached<T> | Error | undefined>(keys.length);
    const waits: Array<Promise<void>> = [];
    const missing: number[] = [];
    const stale: number[] = [];
    const entries = await Promise.all(keys.map((k) => (this.inflight.has(k) ? undefined : this.read<T>(k))));
    const now = Date.now();
    keys.forEach((key, i) => {
      const pending = this.inflight.get(key);
      if (pending) {
        waits.push(
          (pending as Promise<T>).then(
            (value) => void (out[i] = { value, stale: false, ageMs: 0 }),
            (e: Error) => void (out[i] = e),
          ),
        );
        return;
      }
      const entry = entries[i];
      const ageMs = entry ? Math.max(0, now - entry.t) : Infinity;
      if (entry && ageMs <= policy.ttlMs) {
        this.stats.hits++;
        out[i] = { value: entry.v, stale: false, ageMs };
      } else if (entry && ageMs <= policy.ttlMs + policy.staleMs) {
        this.stats.staleHits++;
        out[i] = { value: entry.v, stale: true, ageMs };
        stale.push(i);
      } else {
        this.stats.misses++;
        missing.push(i);
      }
    });
    const batch = (indexes: number[]) => {
      // One upstream call for the batch; each key gets its own in-flight promise.
      const results = loadMany(indexes);
      results.catch(() => undefined); // each key's load reports the failure
      return indexes.map((i, j) =>
        this.load(keys[i], policy, async () => {
          const r = (await results)[j];
          if (r instanceof Error) throw r;
          return r;
        }),
      );
    };
    if (stale.length) for (const p of batch(stale)) p.catch(() => undefined);
    if (missing.length) {
      const loads = batch(missing);
      missing.forEach((i, j) =>
        waits.push(
          loads[j].then(
            (value) => void (out[i] = { value, stale: false, ageMs: 0 }),
            (e: Error) => void (out[i] = e),
          ),
        ),
      );
    }
    await Promise.all(waits);
    return out as Array<Cached<T> | Error>;
  }

  /**
   * The value under `key` while fresh, read at once from memory (counted as a hit); undefined when
   * there is none, it is past its time to live, or the cache is Redis (ask `get`).
   */
  fresh<T>(key: string, policy: CachePolicy): Cached<T> | undefined {
    const entry = this.memory ? this.held<T>(key) : undefined;
    const ageMs = entry ? Math.max(0, Date.now() - entry.t) : Infinity;
    if (!entry || ageMs > policy.ttlMs) return undefined;
    this.stats.hits++;
    return { value: entry.v, stale: false, ageMs };
  }

  /** The value under `key` if there is one within its stale window, as it is (no load, no revalidation). */
  async peek<T>(key: string, policy: CachePolicy): Promise<Cached<T> | undefined> {
    const entry = await this.read<T>(key);
    if (!entry) return undefined;
    const ageMs = Math.max(0, Date.now() - entry.t);
    if (ageMs > policy.ttlMs + policy.staleMs) return undefined;
    return { value: entry.v, stale: ageMs > policy.ttlMs, ageMs };
  }

  /** Stores a value read elsewhere (e.g. an answer computed before its key was known). */
  put<T>(key: string, value: T, policy: CachePolicy): Promise<void> {
    return this.write(key, value, policy);
  }

  /**
   * Drops `key`'s entry, and makes a load of it already in flight answer only its own waiters:
   * the next get loads afresh. For a value known to have changed (a source's head moved).
   */
  async forget(key: string): Promise<void> {
    this.epochs.set(key, (this.epochs.get(key) ?? 0) + 1);
    this.inflight.delete(key);
    if (this.memory) {
      this.memory.delete(this.memoryKey(key));
      return;
    }
    try {
      await this.bounded(this.keyv!.delete(key));
    } catch (e) {
      this.reportError(e as Error);
    }
  }

  async clear(): Promise<void> {
    if (this.memory) {
      this.memory.clear();
      return;
    }
    try {
      await this.bounded(this.keyv!.clear());
    } catch (e) {
      this.reportError(e as Error);
    }
  }

  async close(): Promise<void> {
    if (!this.keyv) return;
    try {
      // A Redis client that never connected may never settle its disconnect: bounded like every other call.
      await this.bounded(this.keyv.disconnect());
    } catch {
      // closing a cache that never connected
    }
  }
}
