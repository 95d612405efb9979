/**
 * A JSON-RPC 2.0 client over HTTP for one Ethereum node: single calls and
 * batch requests, a timeout per request, retries with jittered exponential
 * back-off for what is worth retrying (transport failures, 429 and 5xx,
 * "rate limit" answers), and a limit on calls per second shared by every
 * request, the synchronous ones (a mapping's ethereum.call) included.
 * It counts what it sends, for progress lines and bench:ingest.
 */
import { sleepSync, SyncHttpBridge, type BridgeAnswer } from './sync-bridge';

export type RpcErrorKind = 'transport' | 'http' | 'rpc' | 'malformed';

export class RpcError extends Error {
  constructor(
    readonly kind: RpcErrorKind,
    readonly method: string,
    message: string,
    /** The JSON-RPC error code (kind 'rpc') or the HTTP status (kind 'http'). */
    readonly code: number | null = null,
    readonly data: unknown = undefined,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

export interface RpcClientOptions {
  url: string;
  /** Milliseconds before a request is abandoned (and retried). */
  timeoutMs?: number;
  /** Attempts per request, the first included. */
  maxAttempts?: number;
  /** Back-off before retry k is a random time in [0, min(maxBackoffMs, baseBackoffMs * 2^k)] ("full jitter"). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** JSON-RPC calls per second (a batch of n counts n); 0: no limit. */
  callsPerSecond?: number;
  /** Calls per batch request at most; larger batches are split. */
  maxBatch?: number;
  /** Told of each retry, with the error and the wait before it. */
  onRetry?: (error: RpcError, attempt: number, waitMs: number) => void;
  random?: () => number;
}

export interface RpcStats {
  httpRequests: number;
  calls: number;
  retries: number;
  byMethod: Record<string, number>;
}

export interface RpcRequest {
  method: string;
  params: unknown[];
}

export type BatchItem<T = unknown> = { result: T } | { error: RpcError };

/** What a caller may retry beyond the defaults, or refuse to (eth_getLogs shrinks its range instead). */
export type RetryRule = (error: RpcError) => boolean;

const RETRYABLE_RPC_MESSAGE = /rate limit|too many requests|exceeded .*(rate|quota|capacity)|capacity|temporar|try again|timed? ?out|busy|overloaded/i;

export function isRetryable(error: RpcError): boolean {
  if (error.kind === 'transport' || error.kind === 'malformed') return true;
  if (error.kind === 'http') return error.code === 429 || (error.code !== null && error.code >= 500);
  return error.code === 429 || RETRYABLE_RPC_MESSAGE.test(error.message);
}

export class RpcClient {
  readonly url: string;
  readonly stats: RpcStats = { httpRequests: 0, calls: 0, retries: 0, byMethod: {} };
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly callsPerSecond: number;
  readonly maxBatch: number;
  private readonly onRetry: NonNullable<RpcClientOptions['onRetry']>;
  private readonly random: () => number;
  private nextId = 1;
  /** The earliest time the next call may go out (the rate limit's schedule). */
  private nextSlot = 0;
  private bridge: SyncHttpBridge | null = null;

  constructor(options: RpcClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new RpcError('transport', '', `--rpc ${JSON.stringify(options.url)} is not a URL: give the node's HTTP endpoint, e.g. http://127.0.0.1:8545`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new RpcError('transport', '', `--rpc ${options.url}: only http:// and https:// endpoints are supported`);
    }
    this.url = options.url;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 8);
    this.baseBackoffMs = options.baseBackoffMs ?? 250;
    this.maxBackoffMs = options.maxBackoffMs ?? 15_000;
    this.callsPerSecond = options.callsPerSecond ?? 0;
    this.maxBatch = Math.max(1, options.maxBatch ?? 100);
    this.onRetry = options.onRetry ?? (() => {});
    this.random = options.random ?? Math.random;
  }

  /** One call; retried per the rules; the final error is thrown as RpcError. */
  async call<T>(method: string, params: unknown[], retry: RetryRule = isRetryable): Promise<T> {
    const [item] = await this.batch<T>([{ method, params }], retry);
    if ('error' in item) throw item.error;
    return item.result;
  }

  /**
   * Calls in JSON-RPC batch requests (split at maxBatch), answers in request
   * order. Items whose error is retryable are sent again, alone or together;
   * the others come back as errors for the caller to judge.
   */
  async batch<T>(requests: RpcRequest[], retry: RetryRule = isRetryable): Promise<Array<BatchItem<T>>> {
    const out: Array<BatchItem<T>> = new Array(requests.length);
    for (let start = 0; start < requests.length; start += this.maxBatch) {
      let pending = requests.slice(start, start + this.maxBatch).map((r, k) => ({ ...r, slot: start + k }));
      for (let attempt = 1; pending.length > 0; attempt++) {
        await this.throttle(pending.length);
        const answers = await this.send(pending);
        const again: typeof pending = [];
        let firstError: RpcError | null = null;
        pending.forEach((r, k) => {
          const a = answers[k];
          if ('error' in a && attempt < this.maxAttempts && retry(a.error)) {
            again.push(r);
            firstError ??= a.error;
          } else out[r.slot] = a as BatchItem<T>;
        });
        if (again.length > 0) {
          const wait = this.backoff(attempt);
          this.stats.retries += again.length;
          this.onRetry(firstError!, attempt, wait);
          await new Promise((resolve) => setTimeout(resolve, wait));
        }
        pending = again;
      }
    }
    return out;
  }

  /**
   * The same as call(), blocking the thread until the answer: for a mapping's
   * ethereum.call, which is synchronous. Shares the rate limit and the counts.
   */
  callSync<T>(method: string, params: unknown[], retry: RetryRule = isRetryable): T {
    this.bridge ??= new SyncHttpBridge();
    for (let attempt = 1; ; attempt++) {
      const wait = this.reserve(1);
      sleepSync(wait);
      const id = this.nextId++;
      this.count([{ method }]);
      const answer = this.bridge.post(this.url, JSON.stringify({ jsonrpc: '2.0', id, method, params }), this.timeoutMs);
      const [item] = this.interpret([{ method, id }], answer, false);
      if ('result' in item) return item.result as T;
      if (attempt >= this.maxAttempts || !retry(item.error)) throw item.error;
      const backoff = this.backoff(attempt);
      this.stats.retries++;
      this.onRetry(item.error, attempt, backoff);
      sleepSync(backoff);
    }
  }

  close(): void {
    this.bridge?.close();
    this.bridge = null;
  }

  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.maxBackoffMs, this.baseBackoffMs * 2 ** (attempt - 1)));
  }

  /** Books `calls` slots of the rate limit; returns how long to wait before sending. */
  private reserve(calls: number): number {
    if (this.callsPerSecond <= 0) return 0;
    const now = Date.now();
    const at = Math.max(now, this.nextSlot);
    this.nextSlot = at + (calls * 1000) / this.callsPerSecond;
    return at - now;
  }

  private async throttle(calls: number): Promise<void> {
    const wait = this.reserve(calls);
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  private count(requests: Array<{ method: string }>): void {
    this.stats.httpRequests++;
    for (const r of requests) {
      this.stats.calls++;
      this.stats.byMethod[r.method] = (this.stats.byMethod[r.method] ?? 0) + 1;
    }
  }

  private async send(requests: RpcRequest[]): Promise<BatchItem[]> {
    const tagged = requests.map((r) => ({ method: r.method, params: r.params, id: this.nextId++ }));
    this.count(tagged);
    const single = tagged.length === 1;
    const body = JSON.stringify(single ? { jsonrpc: '2.0', ...tagged[0] } : tagged.map((r) => ({ jsonrpc: '2.0', ...r })));
    let answer: BridgeAnswer;
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      answer = { status: response.status, text: await response.text() };
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      answer = { error: err.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : (err.cause?.code ?? err.message) };
    }
    return this.interpret(tagged, answer, !single);
  }

  /** Turns an HTTP answer into one item per request, matched by id. */
  private interpret(requests: Array<{ method: string; id: number }>, answer: BridgeAnswer, batched: boolean): BatchItem[] {
    const all = (error: RpcError) => requests.map(() => ({ error }));
    const method = requests.length === 1 ? requests[0].method : `batch of ${requests.length}`;
    if ('error' in answer) {
      return all(new RpcError('transport', method, `${this.url}: ${answer.error} (check that the node is running and that this is its HTTP JSON-RPC endpoint)`));
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      if (answer.status !== 200) return all(new RpcError('http', method, `${this.url} answered HTTP ${answer.status}: ${answer.text.slice(0, 200)}`, answer.status));
      return all(new RpcError('malformed', method, `${this.url} answered with something other than JSON: ${answer.text.slice(0, 200)}`));
    }
    // Some nodes answer a whole batch with one error object (rate limits, batch too large).
    if (!Array.isArray(body) && batched) body = requests.map((r) => ({ ...(body as object), id: r.id }));
    if (answer.status !== 200 && (body === null || typeof body !== 'object' || !('error' in (body as object) || Array.isArray(body)))) {
      return all(new RpcError('http', method, `${this.url} answered HTTP ${answer.status}`, answer.status));
    }
    const byId = new Map<unknown, Record<string, unknown>>();
    for (const item of (Array.isArray(body) ? body : [body]) as Array<Record<string, unknown>>) byId.set(item?.id, item);
    return requests.map((r) => {
      const item = byId.get(r.id) ?? (requests.length === 1 && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined);
      if (!item) return { error: new RpcError('malformed', r.method, `${this.url} sent no answer for ${r.method} (id ${r.id})`) };
      if (item.error) {
        const e = item.error as { code?: number; message?: string; data?: unknown };
        return { error: new RpcError('rpc', r.method, `${r.method}: ${e.message ?? JSON.stringify(e)}`, typeof e.code === 'number' ? e.code : null, e.data) };
      }
      if (!('result' in item)) return { error: new RpcError('malformed', r.method, `${this.url} answered ${r.method} with neither result nor error`) };
      if (answer.status !== 200) return { error: new RpcError('http', r.method, `${this.url} answered HTTP ${answer.status}`, answer.status) };
      return { result: item.result };
    });
  }
}
