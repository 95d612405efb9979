/**
 * One GraphQL request to a subgraph endpoint over HTTP: a timeout per attempt,
 * and jittered exponential backoff between attempts for failures worth
 * retrying (timeouts, connection errors, 5xx, 429). A 4xx other than 429, a
 * malformed body and GraphQL errors are answers, not accidents: not retried.
 *
 * On node:http(s) with keep-alive agents rather than fetch: a cold fan-out is
 * one request per source, and fetch's streams and signals cost about four
 * times the CPU per request on loopback (bench/gateway.ts). Compressed answers
 * (gzip, deflate, br) are asked for and inflated, as fetch did.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
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

/**
 * What went over the wire, for metrics, tests and benchmarks (plain counters: nothing on the hot path): requests and attempts,
 * failures by code, requests by source key, and the last document sent to each source (bench/gateway.ts times it alone).
 */
export const httpStats = { requests: 0, attempts: 0, failures: {} as Record<string, number>, bySource: {} as Record<string, number>, lastQuery: {} as Record<string, string> };

/** Connections kept open between requests (graph-node and svr keep them alive); an idle one does not hold the process open. */
const AGENTS = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

const INFLATE: Record<string, (b: Buffer) => Promise<Buffer>> = { gzip: promisify(gunzip), deflate: promisify(inflate), br: promisify(brotliDecompress) };

/** The endpoints' parsed URLs: the configured sources' (and their status endpoints'), a bounded set. */
const URLS = new Map<string, URL>();

function urlOf(text: string): URL {
  let url = URLS.get(text);
  if (!url) {
    url = new URL(text);
    if (URLS.size < 10_000) URLS.set(text, url);
  }
  return url;
}

/** The status and body text of one POST, or the error that stopped it (the timeout's and the signal's told apart by the caller). */
function post(source: SourceDefinition, body: string, timeoutMs: number, signal: AbortSignal | undefined): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = urlOf(source.url);
    const https = url.protocol === 'https:';
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => req.destroy();
    const settle = (fn: () => void) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const failed = (e: Error) => settle(() => reject(Object.assign(e, { timedOut })));
    const req = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: https ? AGENTS.https : AGENTS.http,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'accept-encoding': 'gzip, deflate, br', 'content-length': Buffer.byteLength(body), ...source.headers },
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', failed);
        res.on('end', () => {
          const encoding = String(res.headers['content-encoding'] ?? '').trim().toLowerCase();
          const raw = Buffer.concat(chunks);
          const inflate = encoding && encoding !== 'identity' ? INFLATE[encoding] : undefined;
          if (encoding && encoding !== 'identity' && !inflate) return failed(new Error(`an answer in content-encoding ${encoding}, which svr does not read`));
          (inflate ? inflate(raw) : Promise.resolve(raw)).then((b) => settle(() => resolve({ status: res.statusCode ?? 0, text: b.toString('utf8') })), failed);
        });
        res.on('close', () => {
          if (!res.complete) failed(new Error('the connection closed before the answer ended'));
        });
      },
    );
    req.on('error', failed);
    timer = setTimeout(() => {
      timedOut = true;
      req.destroy();
    }, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

async function attempt(source: SourceDefinition, body: string, timeoutMs: number, signal?: AbortSignal): Promise<GraphQLResponseBody> {
  const key = sourceKey(source);
  let text: string;
  let status: number;
  try {
    if (signal?.aborted) throw new Error('aborted');
    ({ status, text } = await post(source, body, timeoutMs, signal));
  } catch (e) {
    if ((e as { timedOut?: boolean }).timedOut) throw new SourceError('UPSTREAM_TIMEOUT', key, `no answer within ${timeoutMs} ms`, true);
    if (signal?.aborted) throw new SourceError('UPSTREAM_TIMEOUT', key, 'the request was cancelled (the gateway request ran out of time)', false);
    throw new SourceError('UPSTREAM_UNREACHABLE', key, `cannot reach ${source.url}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, true);
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
  const key = sourceKey(source);
  httpStats.bySource[key] = (httpStats.bySource[key] ?? 0) + 1;
  httpStats.lastQuery[key] = query;
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
