/**
 * One HTTP server for everything svr serves: the gateway at /graphql (Apollo
 * Server through its HTTP integration API), graph-node's query API for the
 * embedded deployments at /subgraphs/..., and /health.
 *
 * The gateway reads the embedded deployments over HTTP like any graph-node:
 * the subgraph API is the seam, the same in one process as across machines.
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        req.resume();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function corsHeaders(req: IncomingMessage, origins: string[]): Record<string, string> {
  const origin = req.headers.origin;
  if (origins.includes('*')) return { 'access-control-allow-origin': '*' };
  if (origin && origins.includes(origin)) return { 'access-control-allow-origin': origin, vary: 'origin' };
  return {};
}

export function gatewayRequestHandler(options: GatewayHttpOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const { apollo } = options;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const cors = corsHeaders(req, options.corsOrigins);
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
          sendJson(res, 413, { errors: [{ message: `the request body is larger than ${options.maxBodyBytes} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] }, cors);
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
    // The whole request gets requestTimeoutMs; reads still running then are cancelled and reported by source.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.requestTimeoutMs);
    req.once('close', () => {
      if (!res.writableFinished) deadline.abort();
    });
    try {
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => ({ sources: options.sources().forRequest(deadline.signal), sourceErrors: [] }),
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

/** The one server: / (a page of ratios), /graphql to the gateway, /health, /metrics, /subgraphs/… to `fallback` (the subgraph endpoints), a 404 for anything else. */
export function createSvrServer(options: GatewayHttpOptions): Server {
  const gateway = gatewayRequestHandler(options);
  const server = createServer(async (req, res) => {
    try {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/graphql' || path === '/graphql/') await gateway(req, res);
      else if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
        const html = homePage();
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
        res.end(req.method === 'HEAD' ? undefined : html);
      } else if (path === '/health') sendJson(res, 200, { status: 'ok', sources: options.sources().registry.list().length, cache: options.sources().cache.backend });
      else if (path === '/metrics' && options.metrics) {
        const text = await options.metrics.metrics();
        res.writeHead(200, { 'content-type': options.metrics.contentType });
        res.end(text);
      } else if (options.fallback && path.startsWith('/subgraphs/')) await options.fallback(req, res);
      else sendJson(res, 404, { errors: [{ message: `nothing at ${path}; the gateway is at /graphql`, extensions: { code: 'NOT_FOUND' } }] });
    } catch (e) {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: `internal error: ${(e as Error).message}`, extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;
  return server;
}
