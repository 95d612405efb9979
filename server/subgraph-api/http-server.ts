/**
 * graph-node's query endpoint over HTTP (node:http), with graph-node's
 * responses (server/http/src/service.rs, graph/src/data/query/result.rs):
 * POST a JSON body `{query, variables, operationName}` (graph-node reads it
 * whatever the Content-Type, but wants the header and a body). Answers are
 * `{data, errors}` with status 200 and graph-node's CORS, `Graph-Attestable`
 * and `Graph-Indexed` headers; a request graph-node refuses is 400 with
 * `{"error": ...}`; an unknown deployment is a GraphQL error. svr also answers
 * GET with `?query=` (graph-node redirects GET to GraphiQL, which svr does not
 * ship).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ServedDeployment } from './deployment';
import { errors } from './errors';
import { executeRequest, isAttestable, type GraphQLRequest, type QueryResult } from './execute';
import type { DeploymentRegistry } from './registry';

const MAX_BODY = 1 << 20;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'Content-Type, User-Agent',
  'access-control-allow-methods': 'GET, OPTIONS, POST',
};

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'access-control-allow-origin': '*',
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** graph-node's `graph-indexed` header: the deployment's head (LatestBlockInfo), or null. */
function indexedBlock(dep: ServedDeployment | undefined): string {
  const head = dep?.head();
  if (!dep || !head) return 'null';
  return JSON.stringify({ hash: head.hash, number: head.number, timestamp: dep.block(head.number)?.timestamp ?? null });
}

function sendResult(res: ServerResponse, result: QueryResult, dep: ServedDeployment | undefined): void {
  send(res, 200, result, { ...CORS, 'graph-attestable': String(isAttestable(result)), 'graph-indexed': indexedBlock(dep) });
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
export function subgraphRequestHandler(registry: DeploymentRegistry): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
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
      let request: GraphQLRequest;
      if (req.method === 'POST') {
        if (req.headers['content-type'] === undefined) {
          send(res, 400, { error: 'Content-Type header is required' });
          return;
        }
        const text = await readBody(req);
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
        request = { query, variables, operationName: url.searchParams.get('operationName') };
      } else {
        res.writeHead(405, { allow: 'GET, POST, OPTIONS' });
        res.end();
        return;
      }
      if (!dep) {
        // graph-node answers an unknown deployment as a GraphQL error (QueryExecutionError::DeploymentNotFound).
        const result: QueryResult = { errors: [errors.notFound(decodeURIComponent(route[2])).toJSON()] };
        send(res, 200, result, { ...CORS, 'graph-attestable': 'false', 'graph-indexed': 'null' });
        return;
      }
      sendResult(res, executeRequest(dep, request), dep);
    } catch (e) {
      // graph-node's ServerError::InternalError answer.
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'access-control-allow-origin': '*' });
      res.end(`Internal server error: ${(e as Error).message}`);
    }
  };
}

export function createSubgraphServer(registry: DeploymentRegistry): Server {
  const server = createServer(subgraphRequestHandler(registry));
  // Clients (and gateways) keep connections open between queries; Node's 5 s default races their reuse.
  server.keepAliveTimeout = 65_000;
  return server;
}
