/**
 * graph-node's query endpoint over HTTP (node:http): POST with a JSON body
 * `{query, variables, operationName}`, or GET with `?query=` (and
 * `variables`, `operationName`). Answers are `{data, errors}` with status
 * 200, as graph-node answers GraphQL-level errors; an unknown deployment is
 * 404, a malformed request body or URL 400, a body over 1 MiB 413, a full
 * reader pool 429, a store that cannot be opened 503; an internal error is
 * logged under a request id, which is all its answer says.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import pino, { type Logger } from 'pino';
import { badUrl, BodyTooLarge, internalError, readBody, requestIdOf, requestUrl } from '../http/request';
import type { WorkerPool } from '../workers/pool';
import { errors } from './errors';
import type { GraphQLRequest } from './execute';
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
}

const CORS = { 'access-control-allow-origin': '*' };

function send(res: ServerResponse, status: number, body: unknown): number {
  return sendText(res, status, JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string): number {
  const bytes = Buffer.byteLength(text);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': bytes,
    ...CORS,
  });
  res.end(text);
  return bytes;
}

function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
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
        res.writeHead(204, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
          'access-control-allow-headers': 'content-type, user-agent',
        });
        res.end();
        return;
      }
      const dep = registry.byPath(url.pathname);
      const unavailable = dep ? undefined : registry.unavailableAt(url.pathname);
      if (unavailable) {
        send(res, 503, { errors: [{ ...errors.storeUnavailable(`${unavailable.subgraph}/${unavailable.network}`, unavailable.reason).toJSON(), extensions: { code: 'STORE_UNAVAILABLE' } }] });
        req.resume();
        return;
      }
      if (!dep) {
        send(res, 404, {
          errors: [{ message: `no subgraph at ${url.pathname}; served: ${registry.list().map((d) => `/subgraphs/name/${d.subgraph}/${d.network}`).join(', ') || 'none'}`, extensions: { code: 'DEPLOYMENT_NOT_FOUND' } }],
        });
        return;
      }
      let request: GraphQLRequest;
      if (req.method === 'POST') {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(req, MAX_BODY));
        } catch (e) {
          if (e instanceof BodyTooLarge) send(res, 413, { errors: [{ message: e.message, extensions: { code: e.code } }] });
          else badRequest(res, `the request body is not JSON: ${(e as Error).message}`);
          return;
        }
        if (!body || typeof body !== 'object' || typeof (body as GraphQLRequest).query !== 'string') {
          badRequest(res, 'the request body must be a JSON object with a `query` string');
          return;
        }
        request = body as GraphQLRequest;
      } else if (req.method === 'GET') {
        const query = url.searchParams.get('query');
        if (query === null) {
          badRequest(res, 'a GET request needs a `query` parameter');
          return;
        }
        let variables: Record<string, unknown> | null = null;
        const v = url.searchParams.get('variables');
        if (v) {
          try {
            variables = JSON.parse(v);
          } catch {
            badRequest(res, 'the `variables` parameter is not JSON');
            return;
          }
        }
        request = { query, variables, operationName: url.searchParams.get('operationName') };
      } else {
        res.writeHead(405, { allow: 'GET, POST, OPTIONS' });
        res.end();
        return;
      }
      if (request.variables !== undefined && request.variables !== null && (typeof request.variables !== 'object' || Array.isArray(request.variables))) {
        badRequest(res, '`variables` must be a JSON object');
        return;
      }
      const gone = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) gone.abort();
      });
      const answer = await runQuery(dep, request, { pool: options.pool, limits, signal: gone.signal });
      if (!answer) return; // the client went away
      const bytes = sendText(res, answer.status, answer.text);
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
