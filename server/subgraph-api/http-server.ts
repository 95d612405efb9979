/**
 * graph-node's query endpoint over HTTP (node:http): POST with a JSON body
 * `{query, variables, operationName}`, or GET with `?query=` (and
 * `variables`, `operationName`). Answers are `{data, errors}` with status
 * 200, as graph-node answers GraphQL-level errors; an unknown deployment is
 * 404 and a malformed request body 400.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { executeRequest, type GraphQLRequest } from './execute';
import type { DeploymentRegistry } from './registry';

const MAX_BODY = 1 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
  });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function badRequest(res: ServerResponse, message: string): void {
  send(res, 400, { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
}

/** Answers graph-node's query API for the registry's deployments: one request, one response. */
export function subgraphRequestHandler(registry: DeploymentRegistry): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
          body = JSON.parse(await readBody(req));
        } catch (e) {
          badRequest(res, `the request body is not JSON: ${(e as Error).message}`);
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
      send(res, 200, executeRequest(dep, request));
    } catch (e) {
      send(res, 500, { errors: [{ message: `internal error: ${(e as Error).message}`, extensions: { code: 'INTERNAL' } }] });
    }
  };
}

export function createSubgraphServer(registry: DeploymentRegistry): Server {
  const server = createServer(subgraphRequestHandler(registry));
  // Clients (and gateways) keep connections open between queries; Node's 5 s default races their reuse.
  server.keepAliveTimeout = 65_000;
  return server;
}
