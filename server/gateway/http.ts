/**
 * One HTTP server for everything svr serves: the gateway at /graphql (Apollo
 * Server through its HTTP integration API), graph-node's query API for the
 * embedded deployments at /subgraphs/..., and /health.
 *
 * The gateway reads the embedded deployments over HTTP like any graph-node:
 * the subgraph API is the seam, the same in one process as across machines.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { clientOf, type PerClientRate } from '../http/per-client';
import { badUrl, BodyTooLarge, internalError, readBody, requestIdOf, requestUrl, sendJson } from '../http/request';
import { bracketDepth } from '../subgraph-api';
import type { RequestSources, Sources } from '../sources';
import type { GatewayContext } from './context';
import type { WorkerPool } from '../workers/pool';
import type { FollowerStatusSource } from '../indexer/heads';
import type { Explorer } from './config';
import type { Dataset } from './dataset';
import { WebFiles, wantsExplorer } from './web';
import type { AlertService } from './alert-service';
import type { ProvenanceStore } from './provenance-store';
import type { GraphQLQuestion, HttpAnswer, WholeResponses } from './whole-responses';

export interface GatewayHttpOptions {
  apollo: ApolloServer<GatewayContext>;
  /** The sources (known once the server listens: embedded sources are at its own port). */
  sources: () => Sources;
  maxBodyBytes: number;
  /**
   * Deepest bracket nesting a query's text may have, checked before parsing:
   * graphql-js parses recursively, and a document nested thousands deep
   * overflows the stack (answered as a parse failure with a stack trace).
   */
  maxNesting: number;
  requestTimeoutMs: number;
  corsOrigins: string[];
  /** Prometheus metrics served at /metrics. */
  metrics?: Registry;
  /** Requests for any other path (the embedded subgraph endpoints). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  /** Where internal errors go, with the request id their answer carries. */
  logger: Logger;
  /** The risk worker pool every request's risk computations run in. */
  risk: WorkerPool;
  /** The followers' state for `deployments { lag health ... }`, when this process follows chains. */
  followers?: FollowerStatusSource | null;
  /** Whole answers, cached under the blocks they were read at (absent: every question is answered afresh). */
  answers?: WholeResponses;
  /** What the data is (Query.dataset). */
  dataset: Dataset;
  /** What a browser gets at /graphql (config.ts). */
  explorer: Explorer;
  /** The page and explorer bundles (default: dist/public). */
  web?: WebFiles;
  /** The alert rules and events the alert queries and mutations read and change. */
  alerts?: AlertService;
  /** The store of the provenance records served (replay by digest). */
  records?: ProvenanceStore;
  /** Each client's request rate at every path but /health and /metrics (absent: no bound). */
  clientRate?: { limit: PerClientRate; trustForwardedFor: boolean };
}

/**
 * Holds a request until its client is back at its rate, or answers 429 with Retry-After (and closes the connection)
 * when that would take too long. False when the request is answered (refused) or its client went away meanwhile.
 */
async function admitted(req: IncomingMessage, res: ServerResponse, rate: NonNullable<GatewayHttpOptions['clientRate']>, cors: Record<string, string>): Promise<boolean> {
  const client = clientOf(req, rate.trustForwardedFor);
  const decision = rate.limit.decide(client);
  if ('retryAfterSeconds' in decision) {
    const { requestsPerSecond, burst } = rate.limit.options;
    req.resume();
    sendJson(
      res,
      429,
      {
        errors: [
          {
            message: `${client} sends more than ${requestsPerSecond} requests a second (${burst} at once); slow down, and retry after ${decision.retryAfterSeconds} s`,
            extensions: { code: 'RATE_LIMITED', retryAfterSeconds: decision.retryAfterSeconds },
          },
        ],
      },
      { ...cors, 'retry-after': String(decision.retryAfterSeconds), connection: 'close' },
    );
    return false;
  }
  if (decision.waitMs === 0) return true;
  let gone = false;
  await new Promise<void>((ok) => {
    const timer = setTimeout(ok, decision.waitMs);
    res.once('close', () => {
      gone = true;
      clearTimeout(timer);
      ok();
    });
  });
  return !gone;
}

function corsHeaders(req: IncomingMessage, origins: string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && origins.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return {};
}

export function gatewayRequestHandler(options: GatewayHttpOptions): (req: IncomingMessage, res: ServerResponse, requestId: string) => Promise<void> {
  const { apollo } = options;
  return async (req, res, requestId) => {
    const cors = corsHeaders(req, options.corsOrigins);
    const url = requestUrl(req);
    if (!url) {
      badUrl(res, req, cors);
      return;
    }
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...cors,
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': 'content-type, apollo-require-preflight, x-apollo-operation-name',
        'access-control-max-age': '600',
      });
      res.end();
      return;
    }
    let body: unknown = undefined;
    if (req.method === 'POST') {
      let text: string;
      try {
        text = await readBody(req, options.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          sendJson(res, 413, { errors: [{ message: e.message, extensions: { code: e.code } }] }, cors);
          return;
        }
        throw e;
      }
      const type = req.headers['content-type'] ?? '';
      if (type.includes('application/json')) {
        try {
          body = JSON.parse(text);
        } catch {
          sendJson(res, 400, { errors: [{ message: 'the request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] }, cors);
          return;
        }
      } else body = text;
    }
    const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : req.method === 'GET' ? url.searchParams.get('query') : undefined;
    if (typeof query === 'string' && bracketDepth(query, options.maxNesting) > options.maxNesting) {
      sendJson(res, 400, { errors: [{ message: `the query nests brackets more than ${options.maxNesting} levels deep; flatten it`, extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] }, cors);
      return;
    }
    // The whole request gets requestTimeoutMs; reads and pool work still running then are cancelled and reported by source.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`the request ran past its deadline of ${options.requestTimeoutMs} ms`)), options.requestTimeoutMs);
    // The client went away (the socket closed before the answer was written): nobody waits for the work any more.
    res.once('close', () => {
      if (!res.writableFinished) deadline.abort(new Error('the client closed the connection'));
    });
    let sources: RequestSources | null = null;
    try {
      sources = options.sources().forRequest(deadline.signal);
    } catch (e) {
      // Apollo would answer the error's own message; the answer carries only the request id.
      options.logger.error({ requestId, err: e }, 'internal error creating a gateway request context');
    }
    /** Apollo's answer; a streamed one (incremental delivery) is written out here and gives null. */
    const execute = async (): Promise<HttpAnswer | null> => {
      // Apollo's view of the request's headers: made only when it answers (never for an answer from the cache).
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          if (!sources) {
            throw new GraphQLError(`internal error; the server log has its details under request id ${requestId}`, {
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, http: { status: 500 } },
            });
          }
          return { sources, sourceErrors: [], signal: deadline.signal, requestId, risk: options.risk, dataset: options.dataset, alerts: options.alerts, records: options.records, authorization: req.headers.authorization, followers: options.followers ?? null };
        },
      });
      const out: Record<string, string> = {};
      for (const [key, value] of response.headers) out[key] = value;
      if (response.body.kind === 'complete') return { status: response.status ?? 200, headers: out, body: response.body.string };
      res.writeHead(response.status ?? 200, { ...cors, ...out });
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
      return null;
    };
    try {
      // Only POSTed JSON questions come from the cache: a GET goes through Apollo's CSRF check every time.
      const question = req.method === 'POST' && typeof body === 'object' && body !== null && !Array.isArray(body) && typeof query === 'string' ? (body as GraphQLQuestion) : null;
      const { answer, source } = question && sources && options.answers ? await options.answers.answer(question, sources, execute) : { answer: await execute(), source: 'bypass' as const };
      if (answer) {
        res.writeHead(answer.status, { ...cors, ...answer.headers, 'content-length': Buffer.byteLength(answer.body), 'x-svr-cache': source });
        res.end(answer.body);
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

/**
 * The one server: / (the page, web/page) and its /assets/, /graphql to the gateway (GraphiQL for a browser),
 * /health, /metrics, /subgraphs/… to `fallback` (the subgraph endpoints), a 404 for anything else.
 */
export function createSvrServer(options: GatewayHttpOptions): Server {
  const gateway = gatewayRequestHandler(options);
  const web = options.web ?? new WebFiles();
  const server = createServer(async (req, res) => {
    const requestId = requestIdOf(req);
    try {
      // Every request counts toward its client's rate but the probes' (/health, /metrics), before any work on it, a malformed URL's 400 too.
      const raw = (req.url ?? '/').split('?')[0];
      if (raw !== '/health' && raw !== '/metrics' && options.clientRate && !(await admitted(req, res, options.clientRate, corsHeaders(req, options.corsOrigins)))) return;
      const url = requestUrl(req);
      if (!url) {
        badUrl(res, req);
        return;
      }
      const path = url.pathname;
      const read = req.method === 'GET' || req.method === 'HEAD';
      const graphql = path === '/graphql' || path === '/graphql/';
      const subgraphs = options.fallback !== undefined && path.startsWith('/subgraphs/');
      if (graphql) {
        if (options.explorer === 'graphiql' && wantsExplorer(req, url)) web.send(req, res, 'explorer.html');
        else await gateway(req, res, requestId);
      } else if (path === '/' && read) web.send(req, res, 'page.html');
      else if (path.startsWith('/assets/') && read && web.send(req, res, path.slice(1))) return;
      else if (path === '/health') sendJson(res, 200, { status: 'ok', sources: options.sources().registry.list().length, cache: options.sources().cache.backend });
      else if (path === '/metrics' && options.metrics) {
        const text = await options.metrics.metrics();
        res.writeHead(200, { 'content-type': options.metrics.contentType });
        res.end(text);
      } else if (subgraphs) await options.fallback!(req, res);
      else sendJson(res, 404, { errors: [{ message: `nothing at ${path}; the gateway is at /graphql`, extensions: { code: 'NOT_FOUND' } }] });
    } catch (e) {
      internalError(res, options.logger, requestId, e);
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
