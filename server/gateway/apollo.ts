/**
 * The Apollo Server behind /graphql: the public schema (schema.graphql), its
 * resolvers, graphql-armor's query limits, the partial-answers plugin, and
 * production hardening (no introspection, no landing page, no stack traces).
 * Apollo's landing page (Sandbox, from Apollo's CDN) only when configured:
 * the explorer a browser gets by default is the bundled GraphiQL (web.ts).
 * The same schema can be built as an Apollo Federation subgraph.
 */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, GraphQLScalarType, Kind, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PROJECT_ROOT } from '../paths';
import type { GatewayLimits } from './config';
import type { GatewayContext } from './context';
import { workBounds } from './cost';
import { resolvers } from './resolvers';
import { riskResolvers } from './risk-resolvers';
import { backtestResolvers } from './backtest-resolvers';
import { provenanceResolvers } from './provenance';
import { replayResolvers } from './replay';
import { liveResolvers } from './live-resolvers';
import { alertResolvers } from './alert-resolvers';

export const SCHEMA_PATH = join(PROJECT_ROOT, 'schema.graphql');

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** USD figures: exact decimals as strings in plain notation. */
export const BigDecimalScalar = new GraphQLScalarType({
  name: 'BigDecimal',
  description: 'An exact decimal number, serialized as a string in plain notation.',
  serialize(value) {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new GraphQLError(`BigDecimal cannot represent ${JSON.stringify(value)}`);
    return value;
  },
  parseValue(value) {
    if (typeof value !== 'string' || !DECIMAL.test(value)) throw new GraphQLError('a BigDecimal is a string such as "12.5"');
    return value;
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING || !DECIMAL.test(ast.value)) throw new GraphQLError('a BigDecimal is a string such as "12.5"');
    return ast.value;
  },
});

/** Largest Unix time served or accepted: the largest integer a JSON number carries exactly. */
const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

function timestampOf(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 0 || n > MAX_TIMESTAMP) {
    throw new GraphQLError(`a Timestamp is a whole number of seconds since 1970 from 0 to ${MAX_TIMESTAMP}, as a number or a string of digits; got ${JSON.stringify(value)}`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return n;
}

/** Unix times: 64-bit whole seconds (GraphQL's Int is 32-bit and ends in 2038). */
export const TimestampScalar = new GraphQLScalarType({
  name: 'Timestamp',
  description: 'A Unix time in whole seconds, 64-bit.',
  serialize: timestampOf,
  parseValue: timestampOf,
  parseLiteral(ast) {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.STRING) throw new GraphQLError('a Timestamp is a whole number of seconds, e.g. 1709424000', { extensions: { code: 'BAD_USER_INPUT' } });
    return timestampOf(ast.kind === Kind.INT ? Number(ast.value) : ast.value);
  },
});

export function publicTypeDefs(): DocumentNode {
  return parse(readFileSync(SCHEMA_PATH, 'utf8'));
}

/** The public schema with federation's @link and entity keys on Protocol, Token and Account. */
export function federatedTypeDefs(): DocumentNode {
  const sdl = readFileSync(SCHEMA_PATH, 'utf8')
    .replace(/^type (Protocol|Token|Account) \{/gm, 'type $1 @key(fields: "id") {')
    .concat('\nextend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n');
  return parse(sdl);
}

const entityResolvers = {
  Protocol: { __resolveReference: (ref: { id: string }, ctx: GatewayContext) => (ctx.sources.registry.protocols().includes(ref.id) ? ref : null) },
  Token: { __resolveReference: (ref: { id: string }) => ref },
  // _Any takes any JSON: a representation whose id is no string is the caller's error, not a crash.
  Account: { __resolveReference: (ref: { id: unknown }) => ({ id: String(ref.id).toLowerCase() }) },
};

export function gatewaySchema(options: { federation?: boolean } = {}): GraphQLSchema {
  const all: Record<string, unknown> = { ...resolvers, BigDecimal: BigDecimalScalar, Timestamp: TimestampScalar };
  for (const [type, fields] of [riskResolvers, backtestResolvers, provenanceResolvers, replayResolvers, liveResolvers, alertResolvers].flatMap((r) => Object.entries(r))) all[type] = { ...(all[type] as object), ...(fields as object) };
  if (options.federation) {
    for (const [type, r] of Object.entries(entityResolvers)) all[type] = { ...(all[type] as object), ...r };
    return buildSubgraphSchema([{ typeDefs: federatedTypeDefs(), resolvers: all as never }]);
  }
  return makeExecutableSchema({ typeDefs: publicTypeDefs(), resolvers: all as never });
}

/**
 * Adds the errors of sources that an answer went on without, one per source,
 * each naming it (extensions.source) with its code, and logs them.
 */
function partialAnswers(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single' || contextValue.sourceErrors.length === 0) return;
          const seen = new Set<string>();
          const extra = [];
          for (const e of contextValue.sourceErrors) {
            const key = `${e.source}|${e.message}`;
            if (seen.has(key)) continue;
            seen.add(key);
            extra.push({ message: e.message, extensions: { code: e.code, source: e.source } });
            logger.warn({ source: e.source, code: e.code }, e.message);
          }
          const result = response.body.singleResult;
          result.errors = [...(result.errors ?? []), ...(extra as never[])];
        },
      };
    },
  };
}

/**
 * An error of svr's own making (a resolver bug, a store failure) is logged with
 * the request id, and its answer says only that id: no message, no stack.
 */
export function internalErrors(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response, errors }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          const requestId = contextValue.requestId;
          let logged = false;
          response.body.singleResult.errors = response.body.singleResult.errors.map((e) => {
            if (e.extensions?.code !== 'INTERNAL_SERVER_ERROR') return e;
            if (!logged) {
              logged = true;
              const original = errors?.find((o) => o.extensions?.code === 'INTERNAL_SERVER_ERROR' || !o.extensions?.code);
              logger.error({ requestId, err: original?.originalError ?? original ?? e, path: e.path }, 'internal error answering a gateway request');
            }
            return {
              message: `internal error; the server log has its details under request id ${requestId}`,
              ...(e.path ? { path: e.path } : {}),
              extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
            };
          });
        },
      };
    },
  };
}

/**
 * Answers are never to be kept by browsers or proxies (`cache-control: no-store`: the figures move
 * every block; svr keeps whole answers itself, by block). Said here once per answer, rather than by
 * Apollo's cache-control plugin, which wraps every field's resolver to gather cache hints svr never gives.
 */
function noStore(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          response.http.headers.set('cache-control', 'no-store');
        },
      };
    },
  };
}

export interface ApolloOptions {
  limits: GatewayLimits;
  production: boolean;
  federation?: boolean;
  /** Apollo Sandbox as the landing page at /graphql (config explorer "sandbox"); otherwise Apollo serves none (http.ts serves GraphiQL). */
  sandbox?: boolean;
  plugins?: ApolloServerPlugin<GatewayContext>[];
  logger: Logger;
}

/** graphql-armor's limits (depth, aliases, cost, directives): the same for HTTP and for subscriptions over WebSocket (ws.ts). */
export function queryLimits(limits: GatewayLimits, production: boolean) {
  return new ApolloArmor({
    maxDepth: { n: limits.maxDepth },
    maxAliases: { n: limits.maxAliases },
    costLimit: { maxCost: limits.maxCost },
    // graphql-armor's token limit throws from a plugin hook, which Apollo answers with a 500: graphql-js's own (parseOptions) is a 400.
    maxTokens: { enabled: false },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: production },
  }).protect();
}

export function createApollo(options: ApolloOptions): ApolloServer<GatewayContext> {
  const armor = queryLimits(options.limits, options.production);
  return new ApolloServer<GatewayContext>({
    schema: gatewaySchema({ federation: options.federation }),
    introspection: !options.production,
    includeStacktraceInErrorResponses: !options.production,
    allowBatchedHttpRequests: false,
    // svr's CLI owns SIGTERM/SIGINT: it stops the followers first, then the server (Apollo's own handler re-raises the signal once it stopped).
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: options.limits.maxTokens },
    validationRules: armor.validationRules,
    plugins: [
      ...armor.plugins,
      workBounds<GatewayContext>(),
      ApolloServerPluginCacheControlDisabled(),
      noStore(),
      partialAnswers(options.logger),
      internalErrors(options.logger),
      ...(options.plugins ?? []),
      // A federation router asks subgraphs for per-field timings (ftv1); production does not give them away.
      ...(options.federation && options.production ? [ApolloServerPluginInlineTraceDisabled()] : []),
      options.sandbox && !options.production ? ApolloServerPluginLandingPageLocalDefault({ embed: true, includeCookies: false }) : ApolloServerPluginLandingPageDisabled(),
    ],
  });
}
