/**
 * One GraphQL request to a subgraph endpoint over HTTP: a timeout per attempt,
 * and jittered exponential backoff between attempts for failures worth
 * retrying (timeouts, connection errors, 5xx, 429). A 4xx other than 429, a
 * malformed body and GraphQL errors are answers, not accidents: not retried.
 */
import { SourceError } from './errors';
import type { SourceDefinition } from './registry';
import { sourceKey } from './registry';

export interface HttpOptions {
  /** Milliseconds one attempt may take. */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** Base delay before the first retry; doubles each time, with +-50% jitter. */
  retryDelayMs: number;
}

export interface GraphQLResponseBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number> }>;
}

/** Counts of what went over the wire, for metrics, tests and benchmarks (plain counters: nothing on the hot path). */
export const httpStats = { requests: 0, attempts: 0, failures: {} as Record<string, number> };

async function attempt(source: SourceDefinition, body: string, timeoutMs: number, signal?: AbortSignal): Promise<GraphQLResponseBody> {
  const key = sourceKey(source);
  const timeout = AbortSignal.timeout(timeoutMs);
  const abort = signal ? AbortSignal.any([timeout, signal]) : timeout;
  let text: string;
  let status: number;
  try {
    const res = await fetch(source.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...source.headers },
      body,
      signal: abort,
    });
    status = res.status;
    text = await res.text();
  } catch (e) {
    if (timeout.aborted) throw new SourceError('UPSTREAM_TIMEOUT', key, `no answer within ${timeoutMs} ms`, true);
    if (signal?.aborted) throw new SourceError('UPSTREAM_TIMEOUT', key, 'the request was cancelled (the gateway request ran out of time)', false);
    const cause = (e as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new SourceError('UPSTREAM_UNREACHABLE', key, `cannot reach ${source.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}`, true);
  }
  if (status >= 500 || status === 429) throw new SourceError('UPSTREAM_HTTP_ERROR', key, `HTTP ${status}: ${text.slice(0, 200)}`, true);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SourceError('UPSTREAM_MALFORMED', key, `HTTP ${status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
  }
  if (!parsed || typeof parsed !== 'object' || (!('data' in parsed) && !('errors' in parsed))) {
    throw new SourceError('UPSTREAM_MALFORMED', key, `HTTP ${status} with JSON that is not a GraphQL response`);
  }
  const response = parsed as GraphQLResponseBody;
  if (status >= 400 && !response.data) {
    throw new SourceError('UPSTREAM_HTTP_ERROR', key, `HTTP ${status}: ${response.errors?.map((e) => e.message).join('; ') ?? ''}`);
  }
  return response;
}

export async function postGraphQL(
  source: SourceDefinition,
  query: string,
  options: HttpOptions,
  signal?: AbortSignal,
): Promise<GraphQLResponseBody> {
  const body = JSON.stringify({ query });
  httpStats.requests++;
  for (let n = 0; ; n++) {
    httpStats.attempts++;
    try {
      return await attempt(source, body, options.timeoutMs, signal);
    } catch (e) {
      if (!(e instanceof SourceError) || !e.retryable || n >= options.retries || signal?.aborted) {
        const code = e instanceof SourceError ? e.code : 'INTERNAL';
        httpStats.failures[code] = (httpStats.failures[code] ?? 0) + 1;
        throw e;
      }
      const delay = options.retryDelayMs * 2 ** n * (0.5 + Math.random());
      await new Promise((ok) => setTimeout(ok, delay));
    }
  }
}
