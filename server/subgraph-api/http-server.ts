/**
 * graph-node's query endpoint over HTTP (node:http), with graph-node's
 * responses (server/http/src/service.rs, graph/src/data/query/result.rs):
 * POST a JSON body `{query, variables, operationName}` (graph-node reads it
 * whatever the Content-Type, but wants the header and a body). Answers are
 * `{data, errors}` with status 200 and graph-node's CORS, `Graph-Attestable`
 * and `Graph-Indexed` headers; a request graph-node refuses is 400 with
 * `{"error": ...}`; an unknown deployment is a GraphQL error. svr also answers
 * GET with `?query=` (graph-node redirects GET to GraphiQL, which svr does not
 * ship). Beyond graph-node: a body over 1 MiB is 413, a malformed URL 400, a
 * full reader pool 429, a store that cannot be opened 503; an internal error
 * is logged under a request id, which is all its answer says. Queries run in
 * the reader pool, off the event loop.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { clientOf, type PerClientLimit } from '../http/per-client';
import { badUrl, BodyTooLarge, internalError, readBody, requestIdOf, requestUrl } from '../http/request';
import type { WorkerPool } from '../workers/pool';
import type { ServedDeployment } from './deployment';
import { errors } from './errors';
import type { GraphQLRequest, QueryResult } from './execute';
import { DEFAULT_SUBGRAPH_LIMITS, type SubgraphLimits } from './limits';
import { runQuery } from './reader-pool';
import type { DeploymentRegistry } from './registry';

const MAX_BODY = 1 << 20;

export interface SubgraphHandlerOptions {
  /** The reader pool (task module ./query-task); without it queries run on the calling thread. */
  pool?: WorkerPool;
  limits?: SubgraphLimits;
  /** Internal errors (with their request id) and results past GRAPH_GRAPHQL_WARN_RESULT_SIZE. */
  logger?: Logger;
  /**
   * Queries each client may have in flight (from its arrival to its answer); past it the client is answered 429 with
   * Retry-After before its body is read. Absent: no per-client bound (the gateway's own reads).
   */
  perClient?: { limit: PerClientLimit; trustForwardedFor: boolean };
}

/** Seconds a client over its per-client bound is told to wait (Retry-After). */
export const CLIENT_RETRY_AFTER_SECONDS = 1;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Content-Type, User-Agent',
  'access-control-allow-methods': 'GET, OPTIONS, POST',
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): number {
  return sendText(res, status, JSON.stringify(body), headers);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): number {
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, {
    'access-control-allow-origin': '*',
    'content-type': 'application/json',
    'content-length': String(bytes),
    ...headers,
  });
  res.end(text);
  return bytes;
}

/** graph-node's `graph-indexed` header: the deployment's head (LatestBlockInfo), or null. */
function indexedBlock(dep: ServedDeployment | undefined): string {
  const head = dep?.head();
  if (!dep || !head) return 'null';
  return JSON.stringify({ hash: head.hash, number: head.number, timestamp: dep.block(head.number)?.timestamp ?? null });
}

/** graph-node's ServerError::ClientError answer. */
function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { error: `GraphQL server error (client error): ${message}` });
}

/** graph-node's parse_graphql_request checks, in its order and with its messages. */
function parseRequestBody(text: string): GraphQLRequest | string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return (e as Error).message;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'Request data is not an object';
  const request = body as Record<string, unknown>;
  if (!('query' in request)) return 'The "query" field is missing in request data';
  if (typeof request.query !== 'string') return 'The "query" field is not a string';
  const variables = request.variables;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) return 'Invalid query variables provided';
  return request as unknown as GraphQLRequest;
}

/** Answers graph-node's query API for the registry's deployments: one request, one response. */
export function subgraphRequestHandler(registry: DeploymentRegistry, options: SubgraphHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const limits = options.limits ?? DEFAULT_SUBGRAPH_LIMITS;
  const logger = options.logger ?? pino({ level: 'silent' });
  return async (req, res) => {
    const requestId = requestIdOf(req);
    try {
      const url = requestUrl(req);
      if (!url) {
        badUrl(res, req, CORS);
        return;
      }
      if (req.method === 'OPTIONS') {
        res.writeHead(200, { ...CORS, 'content-type': 'text/html; charset=utf-8', 'content-length': '0' });
        res.end();
        return;
      }
      const route = /^\/subgraphs\/(name|id)\/(.+?)\/?$/.exec(url.pathname);
      if (!route) {
        send(res, 200, { message: 'Not found' });
        return;
      }
      const dep = registry.byPath(url.pathname);
      const unavailable = dep ? undefined : registry.unavailableAt(url.pathname);
      if (unavailable) {
        send(res, 503, { errors: [{ ...errors.storeUnavailable(`${unavailable.subgraph}/${unavailable.network}`, unavailable.reason).toJSON(), extensions: { code: 'STORE_UNAVAILABLE' } }] }, CORS);
        req.resume();
        return;
      }
      if (options.perClient && (req.method === 'POST' || req.method === 'GET')) {
        const client = clientOf(req, options.perClient.trustForwardedFor);
        const giveBack = options.perClient.limit.acquire(client);
        if (!giveBack) {
          send(res, 429, { errors: [errors.clientBusy(client, options.perClient.limit.max).toJSON()] }, { ...CORS, 'retry-after': String(CLIENT_RETRY_AFTER_SECONDS) });
          req.resume();
          return;
        }
        // Held until the answer is written or the client goes away, whichever comes first.
        res.once('close', giveBack);
      }
      let request: GraphQLRequest;
      if (req.method === 'POST') {
        if (req.headers['content-type'] === undefined) {
          send(res, 400, { error: 'Content-Type header is required' });
          req.resume();
          return;
        }
        let text: string;
        try {
          text = await readBody(req, MAX_BODY);
        } catch (e) {
          if (e instanceof BodyTooLarge) {
            // graph-node's error body shape, with svr's code beside it (graph-node has no body limit of its own).
            send(res, 413, { error: e.message, code: e.code });
            return;
          }
          throw e;
        }
        if (text.length === 0) {
          send(res, 400, { error: 'Body is required' });
          return;
        }
        const parsed = parseRequestBody(text);
        if (typeof parsed === 'string') {
          badRequest(res, parsed);
          return;
        }
        request = parsed;
      } else if (req.method === 'GET') {
        const query = url.searchParams.get('query');
        if (query === null) {
          badRequest(res, 'a GET request needs a `query` parameter (graph-node answers GET with GraphiQL; svr does not ship it)');
          return;
        }
        let variables: Record<string, unknown> | null = null;
        const v = url.searchParams.get('variables');
        if (v) {
          try {
            variables = JSON.parse(v);
          } catch {
            badRequest(res, 'Invalid query variables provided');
            return;
          }
        }
        if (variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
          badRequest(res, 'Invalid query variables provided');
          return;
        }
        request = { query, variables, operationName: url.searchParams.get('operationName') };
      } else {
        res.writeHead(405, { allow: 'GET, POST, OPTIONS' });
        res.end();
        return;
      }
      if (!dep) {
        // graph-node answers an unknown deployment as a GraphQL error (QueryExecutionError::DeploymentNotFound).
        const result: QueryResult = { errors: [errors.notFound(decodeURIComponent(route[2]!)).toJSON()] };
        send(res, 200, result, { ...CORS, 'graph-attestable': 'false', 'graph-indexed': 'null' });
        return;
      }
      const gone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      const answer = await runQuery(dep, request, { pool: options.pool, limits, signal: gone.signal });
      if (!answer) return; // the client went away
      const bytes = sendText(res, answer.status, answer.text, { ...CORS, 'graph-attestable': String(answer.attestable), 'graph-indexed': indexedBlock(dep) });
      if (bytes > limits.warnResultSize) logger.warn({ requestId, deployment: dep.deployment, bytes, query: request.query.slice(0, 200) }, 'large query result');
    } catch (e) {
      internalError(res, logger, requestId, e, CORS);
    }
  };
}

export function createSubgraphServer(registry: DeploymentRegistry, options: SubgraphHandlerOptions = {}): Server {
  const server = createServer(subgraphRequestHandler(registry, options));
  // Clients (and gateways) keep connections open between queries; Node's 5 s default races their reuse.
  server.keepAliveTimeout = 65_000;
  return server;
}
