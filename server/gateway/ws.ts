/**
 * Subscriptions over WebSocket on the gateway's own port and path (/graphql),
 * with graphql-ws (the graphql-transport-ws protocol Apollo Server documents
 * for subscriptions) on the `ws` package.
 *
 * Bounds, each configurable (config.ts `subscriptions`):
 * - connections in total and per client address, refused at the upgrade
 *   (HTTP 503) before any WebSocket exists;
 * - subscriptions per connection and in total, refused with an error message;
 * - the same query limits as HTTP: bracket nesting, tokens, graphql-armor's
 *   depth, aliases and cost, and the work bounds of cost.ts;
 * - a slow consumer (more than maxQueuedEvents behind, or more than
 *   maxBufferedBytes unsent in its socket) is disconnected with close code
 *   4013, never buffered without bound.
 * Over the WebSocket only subscriptions are served: queries and mutations go
 * over HTTP, where the deadlines and the answer cache are.
 */
import { GraphQLError, getOperationAST, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Sources } from '../sources';
import { bracketDepth } from '../subgraph-api';
import { clientOf, PerClientLimit } from '../http/per-client';
import type { WorkerPool } from '../workers/pool';
import { queryLimits } from './apollo';
import type { AlertService } from './alert-service';
import type { ProvenanceStore } from './provenance-store';
import type { GatewayLimits, SubscriptionLimits } from './config';
import type { GatewayContext } from './context';
import { requestWeight } from './cost';
import type { LiveFigures } from './live';

/** Close code for a subscriber dropped for falling behind (4000-4999: the application's own, RFC 6455 7.4.2). */
export const SLOW_CONSUMER_CLOSE = 4013;

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  limits: GatewayLimits;
  subscriptions: SubscriptionLimits;
  production: boolean;
  sources: () => Sources;
  live: LiveFigures;
  alerts?: AlertService;
  /** The store of the provenance records served (replay by digest). */
  records?: ProvenanceStore;
  risk: WorkerPool;
  logger: Logger;
}

export interface SubscriptionServer {
  /** Open connections and subscriptions now. */
  stats(): { connections: number; subscriptions: number };
  close(): Promise<void>;
}

function refuseUpgrade(socket: Duplex, status: number, message: string): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code: status === 503 ? 'TOO_MANY_CONNECTIONS' : 'NOT_FOUND' } }] });
  socket.end(`HTTP/1.1 ${status} ${status === 503 ? 'Service Unavailable' : 'Not Found'}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

export function attachSubscriptions(server: Server, options: SubscriptionServerOptions): SubscriptionServer {
  const { subscriptions: bounds, limits } = options;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxBodyBytes });
  const perClient = new PerClientLimit(bounds.maxConnectionsPerClient);
  let connections = 0;
  let subscriptions = 0;
  const perSocket = new WeakMap<WebSocket, { count: number; operations: Map<string, () => void> }>();
  const armor = queryLimits(limits, options.production);
  const rules = [...specifiedRules, ...armor.validationRules];
  let operationCount = 0;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/graphql' && path !== '/graphql/') return refuseUpgrade(socket, 404, `no WebSocket at ${path}; subscriptions are at /graphql`);
    const client = clientOf(req, bounds.trustForwardedFor);
    if (connections >= bounds.maxConnections) return refuseUpgrade(socket, 503, `the gateway holds its limit of ${bounds.maxConnections} subscription connections; try again later`);
    const giveBack = perClient.acquire(client);
    if (!giveBack) {
      return refuseUpgrade(socket, 503, `${client} holds its limit of ${bounds.maxConnectionsPerClient} subscription connections; subscribe over the ones it has`);
    }
    connections++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      connections--;
      giveBack();
    };
    socket.once('close', release);
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', release);
      perSocket.set(ws, { count: 0, operations: new Map() });
      wss.emit('connection', ws, req);
    });
  };
  server.on('upgrade', onUpgrade);

  const bad = (message: string, code = 'BAD_USER_INPUT') => [new GraphQLError(message, { extensions: { code } })];

  const disposable = useServer(
    {
      schema: options.schema,
      onSubscribe: (ctx, id, payload) => {
        const socket = ctx.extra.socket;
        const mine = perSocket.get(socket)!;
        const query = payload.query;
        if (typeof query !== 'string') return bad('the subscribe message has no query');
        const maxNesting = 2 * limits.maxDepth + 16;
        if (bracketDepth(query, maxNesting) > maxNesting) return bad(`the query nests brackets more than ${maxNesting} levels deep; flatten it`, 'GRAPHQL_PARSE_FAILED');
        let document: DocumentNode;
        try {
          document = parse(query, { maxTokens: limits.maxTokens });
        } catch (e) {
          return [e instanceof GraphQLError ? new GraphQLError(e.message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } }) : new GraphQLError(String(e))];
        }
        const errors = validate(options.schema, document, rules);
        if (errors.length) return errors;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return bad('name the operation to run (operationName)');
        if (operation.operation !== 'subscription') return bad('over the WebSocket svr serves subscriptions only; send queries and mutations by HTTP POST to /graphql', 'BAD_REQUEST');
        try {
          requestWeight(options.schema, document, operation, payload.variables ?? {});
        } catch (e) {
          return [e as GraphQLError];
        }
        if (mine.count >= bounds.maxSubscriptionsPerConnection) return bad(`this connection holds its limit of ${bounds.maxSubscriptionsPerConnection} subscriptions; complete one first`, 'TOO_MANY_SUBSCRIPTIONS');
        if (subscriptions >= bounds.maxSubscriptions) return bad(`the gateway holds its limit of ${bounds.maxSubscriptions} subscriptions; try again later`, 'TOO_MANY_SUBSCRIPTIONS');
        mine.count++;
        subscriptions++;
        const abort = new AbortController();
        // Freed when the subscriber's channel closes (a client's Complete, a drop) or the operation completes, whichever is first.
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          mine.operations.delete(id);
          abort.abort(new Error('the subscription completed'));
          mine.count--;
          subscriptions--;
        };
        mine.operations.set(id, release);
        const drop = (reason: string) => {
          options.logger.warn({ operation: id }, `dropping a slow subscriber: ${reason}`);
          if (socket.readyState === socket.OPEN) socket.close(SLOW_CONSUMER_CLOSE, 'slow consumer: it fell behind the events');
        };
        const contextValue: GatewayContext = {
          sources: options.sources().forRequest(abort.signal),
          sourceErrors: [],
          signal: abort.signal,
          requestId: `ws-${++operationCount}`,
          risk: options.risk,
          live: options.live,
          alerts: options.alerts,
          records: options.records,
          subscriber: { maxQueuedEvents: bounds.maxQueuedEvents, drop, release },
        };
        return { schema: options.schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue };
      },
      onNext: (ctx) => {
        const socket = ctx.extra.socket;
        if (socket.bufferedAmount > bounds.maxBufferedBytes && socket.readyState === socket.OPEN) {
          socket.close(SLOW_CONSUMER_CLOSE, 'slow consumer: its socket holds too much unsent data');
        }
      },
      onComplete: (ctx, id) => {
        perSocket.get(ctx.extra.socket)?.operations.get(id)?.();
      },
    },
    wss,
    bounds.keepAliveMs,
  );

  return {
    stats: () => ({ connections, subscriptions }),
    async close() {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      await disposable.dispose();
      await new Promise<void>((ok) => wss.close(() => ok()));
    },
  };
}
