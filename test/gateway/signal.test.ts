/**
 * ctx.signal on the gateway's GraphQL context: it aborts when the request's
 * deadline passes and when the client closes the connection, so that work in
 * the worker pool nobody waits for any more is stopped. Observed through a
 * resolver that waits for the signal (events, not timings).
 */
import { ApolloServer } from '@apollo/server';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import type { GatewayContext } from '../../server/gateway/context';
import { createSvrServer } from '../../server/gateway/http';
import { INDEXED_DATASET } from '../../server/gateway/dataset';

let started: () => void = () => undefined;
let aborted: (reason: string) => void = () => undefined;

async function serve(requestTimeoutMs: number) {
  const apollo = new ApolloServer<GatewayContext>({
    typeDefs: 'type Query { wait: String }',
    resolvers: {
      Query: {
        wait: (_: unknown, __: unknown, ctx: GatewayContext) =>
          new Promise<string>((ok) => {
            expect(ctx.requestId).toMatch(/^[\w.:-]+$/);
            ctx.signal.addEventListener('abort', () => {
              aborted(String((ctx.signal.reason as Error).message));
              ok('aborted');
            });
            started();
          }),
      },
    },
  });
  await apollo.start();
  const fakeSources = { forRequest: () => ({}), registry: { list: () => [] }, cache: { backend: 'memory' } };
  const server = createSvrServer({ apollo, sources: () => fakeSources as never, maxBodyBytes: 10_000, maxNesting: 40, requestTimeoutMs, corsOrigins: ['*'], logger: pino({ level: 'silent' }), risk: {} as never, dataset: INDEXED_DATASET, explorer: 'off' });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
      await apollo.stop();
    },
  };
}

test('the deadline aborts ctx.signal, saying so', async () => {
  const s = await serve(50);
  try {
    const reason = new Promise<string>((ok) => (aborted = ok));
    const res = await fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ wait }' }) });
    expect(await reason).toBe('the request ran past its deadline of 50 ms');
    expect((await res.json()).data).toEqual({ wait: 'aborted' });
  } finally {
    await s.close();
  }
});

test('the client going away aborts ctx.signal', async () => {
  const s = await serve(600_000);
  try {
    const running = new Promise<void>((ok) => (started = ok));
    const reason = new Promise<string>((ok) => (aborted = ok));
    const client = new AbortController();
    const request = fetch(s.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ wait }' }), signal: client.signal }).catch((e) => e);
    await running;
    client.abort();
    expect(await reason).toBe('the client closed the connection');
    expect((await request).name).toBe('AbortError');
  } finally {
    await s.close();
  }
});
