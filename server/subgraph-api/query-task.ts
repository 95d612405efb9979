/**
 * The reader pool's task (server/workers/pool.ts): runs one subgraph query in
 * a worker thread, on that worker's own read-only connection to the store, so
 * SQLite reads never hold up the main event loop. Connections are opened on
 * first use and kept for the worker's life.
 */
import { ServedDeployment } from './deployment';
import { errors } from './errors';
import { executeRequest, type GraphQLRequest, type QueryResult, type QueryWork } from './execute';
import type { SubgraphLimits } from './limits';

export interface QueryTaskInput {
  path: string;
  subgraph: string;
  network: string;
  request: GraphQLRequest;
}

export interface QueryTaskInit {
  limits: SubgraphLimits;
}

export interface QueryTaskOutput {
  result: QueryResult;
  work: QueryWork;
}

const open = new Map<string, ServedDeployment>();

export function query(input: QueryTaskInput, init: QueryTaskInit): QueryTaskOutput {
  let dep = open.get(input.path);
  const work: QueryWork = { statements: 0, rows: 0 };
  if (!dep) {
    try {
      dep = ServedDeployment.open(input.path, input.subgraph, input.network, { readonly: true });
    } catch (e) {
      return { result: { errors: [errors.storeUnavailable(`${input.subgraph}/${input.network}`, (e as Error).message).toJSON()] }, work };
    }
    open.set(input.path, dep);
  }
  return { result: executeRequest(dep, input.request, init.limits, work), work };
}
