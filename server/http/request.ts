/**
 * What every svr HTTP endpoint does alike (the gateway's /graphql and the
 * subgraph endpoints): a body read within a byte limit answered by a real
 * 413, a malformed URL answered by a 400, JSON answers, request ids, and
 * internal errors logged under the request id with only the id in the answer.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';

export class BodyTooLarge extends Error {
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit} bytes; send a smaller query (or or raise the server's body limit)`);
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

