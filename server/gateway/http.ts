/**
 * One HTTP server for everything svr serves: the gateway at /graphql (Apollo
 * Server through its HTTP integration API), graph-node's query API for the
 * embedded deployments at /subgraphs/..., and /health.
 *
 * The gateway reads the embedded deployments over HTTP like any graph-node:
 * the subgraph API is the seam, the same in one process as across machines.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Sources } from '../sources';
import type { GatewayContext } from './context';
import { homePage } from './home-page';

export interface GatewayHttpOptions {
  apollo: ApolloServer<GatewayContext>;
  /** The sources (known once the server listens: embedded sources are at its own port). */
  sources: () => Sources;
  maxBodyBytes: number;
  requestTimeoutMs: number;
  corsOrigins: string[];
  /** Prometheus metrics served at /metrics. */
  metrics?: Registry;
  /** Requests for any other path (the embedded subgraph endpoints). */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;
  /** Where internal errors go, with the request id their answer carries. */
  logger: Logger;
}

export class BodyTooLarge extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes; send a smaller query (or raise limits.maxBodyBytes)`);
  }
}

/**
 * Reads a request body of at most `limit` bytes. Past the limit the rest is
 * drained (not kept) so that a 413 answer still reaches the client on the
 * same connection rather than a reset socket.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      req.resume();
      reject(new BodyTooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new BodyTooLarge(limit));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** The answer to a failure of svr's own: the id to find it in the log, never the message or a stack. */
export function internalError(res: ServerResponse, logger: Logger, requestId: string, error: unknown, headers: Record<string, string> = {}): void {
  logger.error({ requestId, err: error }, 'internal error answering a request');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(
    res,
    500,
    { errors: [{ message: `internal error; the server log has its details under request id ${requestId}`, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }] },
    headers,
  );
}

/** The request's id: the caller's x-request-id when it is a sane token, else a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : randomUUID();
}

/** Parses the request's URL; a malformed one (bad percent escape, bad host) is the client's error. */
export function requestUrl(req: IncomingMessage): URL | null {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return null;
  }
}

export function badUrl(res: ServerResponse, req: IncomingMessage, headers: Record<string, string> = {}): void {
  sendJson(res, 400, { errors: [{ message: `the request URL ${JSON.stringify((req.url ?? '').slice(0, 200))} is malformed (a bad % escape?); percent-encode it`, extensions: { code: 'BAD_REQUEST' } }] }, headers);
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
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    // The whole request gets requestTimeoutMs; reads and pool work still running then are cancelled and reported by source.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new Error(`the request ran past its deadline of ${options.requestTimeoutMs} ms`)), options.requestTimeoutMs);
    // The client went away (the socket closed before the answer was written): nobody waits for the work any more.
    res.once('close', () => {
      if (!res.writableFinished) deadline.abort(new Error('the client closed the connection'));
    });
    try {
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ({ sources: options.sources().forRequest(deadline.signal), sourceErrors: [], signal: deadline.signal, requestId }),
      });
      const out: Record<string, string> = { ...cors };
      for (const [key, value] of response.headers) out[key] = value;
      res.writeHead(response.status ?? 200, out);
      if (response.body.kind === 'complete') res.end(response.body.string);
      else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

/** The one server: / (a page of ratios), /graphql to the gateway, /health, /metrics, everything else to `fallback` (the subgraph endpoints). */
export function createSvrServer(options: GatewayHttpOptions): Server {
  const gateway = gatewayRequestHandler(options);
  const server = createServer(async (req, res) => {
    const requestId = requestIdOf(req);
    try {
      const url = requestUrl(req);
      if (!url) {
        badUrl(res, req);
        return;
      }
      const path = url.pathname;
      if (path === '/graphql' || path === '/graphql/') await gateway(req, res, requestId);
      else if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        const html = homePage();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
        res.end(req.method === 'HEAD' ? undefined : html);
      } else if (path === '/health') sendJson(res, 200, { status: 'ok', sources: options.sources().registry.list().length, cache: options.sources().cache.backend });
      else if (path === '/metrics' && options.metrics) {
        const text = await options.metrics.metrics();
        res.writeHead(200, { 'content-type': options.metrics.contentType });
        res.end(text);
      } else if (options.fallback) await options.fallback(req, res);
      else sendJson(res, 404, { errors: [{ message: `nothing at ${path}; the gateway is at /graphql`, extensions: { code: 'NOT_FOUND' } }] });
    } catch (e) {
      internalError(res, options.logger, requestId, e);
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
