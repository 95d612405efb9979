/** graph-node's query API served from svr's embedded stores. */
export { buildApiSchema, type ApiSchema } from './api-schema';
export { ServedDeployment } from './deployment';
export { executeRequest, isAttestable, type GraphQLRequest, type QueryResult } from './execute';
export { createSubgraphServer, subgraphRequestHandler } from './http-server';
export { DeploymentRegistry } from './registry';
