/** graph-node's query API served from svr's embedded stores. */
export { buildApiSchema, type ApiSchema } from './api-schema';
export { ServedDeployment } from './deployment';
export { bracketDepth, executeRequest, isAttestable, type GraphQLRequest, type QueryResult } from './execute';
export { createSubgraphServer, subgraphRequestHandler, type SubgraphHandlerOptions } from './http-server';
export { DEFAULT_SUBGRAPH_LIMITS, subgraphLimitsFromEnv, type SubgraphLimits } from './limits';
export { DeploymentRegistry, type UnavailableDeployment } from './registry';

/** The reader pool's task module (server/workers/pool.ts runs its `query`). */
export const QUERY_TASK_MODULE = require.resolve('./query-task');
