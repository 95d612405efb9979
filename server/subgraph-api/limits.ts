/**
 * The subgraph API's limits, under graph-node's environment variables and with
 * its defaults where it has them (graph/src/env/graphql.rs):
 *
 * | variable                          | graph-node default | svr default |
 * | GRAPH_GRAPHQL_MAX_FIRST           | 1000               | 1000        |
 * | GRAPH_GRAPHQL_MAX_SKIP            | 4294967295         | 4294967295  |
 * | GRAPH_GRAPHQL_MAX_DEPTH           | 255                | 255         |
 * | GRAPH_GRAPHQL_MAX_COMPLEXITY      | none               | 5000000     |
 * | GRAPH_GRAPHQL_QUERY_TIMEOUT (s)   | none               | 10          |
 * | GRAPH_GRAPHQL_WARN_RESULT_SIZE    | none               | 5000000     |
 * | GRAPH_GRAPHQL_ERROR_RESULT_SIZE   | none               | 20000000    |
 *
 * Where graph-node sets no bound svr sets one, since every request's work is
 * bounded here: complexity bounds the entities a query can read, the result
 * size what it can hold, the timeout what a slow filter can cost (enforced by
 * the reader pool, which stops the worker). graph-node does not limit tokens,
 * aliases or filter nesting; svr does, under its own names:
 *
 * | SVR_GRAPHQL_MAX_TOKENS            | 20000 |
 * | SVR_GRAPHQL_MAX_ALIASES           | 250   |
 * | SVR_GRAPHQL_MAX_FILTER_DEPTH      | 16    | `and`/`or`/child filter nesting in one `where` |
 * | SVR_GRAPHQL_MAX_FILTER_TERMS      | 500   | conditions in one `where`                      |
 *
 * GRAPH_GRAPHQL_MAX_OPERATIONS_PER_CONNECTION is graph-node's bound on
 * GraphQL-over-WebSocket subscriptions, which svr does not serve.
 */
export interface SubgraphLimits {
  maxFirst: number;
  maxSkip: number;
  maxDepth: number;
  maxComplexity: number;
  /** Milliseconds; null: no timeout. */
  queryTimeoutMs: number | null;
  warnResultSize: number;
  errorResultSize: number;
  maxTokens: number;
  maxAliases: number;
  maxFilterDepth: number;
  maxFilterTerms: number;
}

export const DEFAULT_SUBGRAPH_LIMITS: SubgraphLimits = {
  maxFirst: 1000,
  maxSkip: 4294967295,
  maxDepth: 255,
  maxComplexity: 5_000_000,
  queryTimeoutMs: 10_000,
  warnResultSize: 5_000_000,
  errorResultSize: 20_000_000,
  maxTokens: 20_000,
  maxAliases: 250,
  maxFilterDepth: 16,
  maxFilterTerms: 500,
};

export class SubgraphLimitsError extends Error {
  readonly code = 'CONFIG_INVALID';
}

const VARIABLES: Array<[keyof SubgraphLimits, string, number]> = [
  ['maxFirst', 'GRAPH_GRAPHQL_MAX_FIRST', 1],
  ['maxSkip', 'GRAPH_GRAPHQL_MAX_SKIP', 1],
  ['maxDepth', 'GRAPH_GRAPHQL_MAX_DEPTH', 1],
  ['maxComplexity', 'GRAPH_GRAPHQL_MAX_COMPLEXITY', 1],
  ['queryTimeoutMs', 'GRAPH_GRAPHQL_QUERY_TIMEOUT', 1000],
  ['warnResultSize', 'GRAPH_GRAPHQL_WARN_RESULT_SIZE', 1],
  ['errorResultSize', 'GRAPH_GRAPHQL_ERROR_RESULT_SIZE', 1],
  ['maxTokens', 'SVR_GRAPHQL_MAX_TOKENS', 1],
  ['maxAliases', 'SVR_GRAPHQL_MAX_ALIASES', 1],
  ['maxFilterDepth', 'SVR_GRAPHQL_MAX_FILTER_DEPTH', 1],
  ['maxFilterTerms', 'SVR_GRAPHQL_MAX_FILTER_TERMS', 1],
];

/** The limits from the environment; a bad value is an error naming the variable. */
export function subgraphLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): SubgraphLimits {
  const limits: SubgraphLimits = { ...DEFAULT_SUBGRAPH_LIMITS };
  for (const [key, variable, scale] of VARIABLES) {
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    // graph-node accepts underscores as digit separators (NoUnderscores).
    const value = Number(raw.replace(/_/g, ''));
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new SubgraphLimitsError(`${variable} must be a positive whole number${scale === 1000 ? ' of seconds' : ''}, not ${JSON.stringify(raw)}`);
    }
    (limits as unknown as Record<string, number>)[key] = value * scale;
  }
  return limits;
}
