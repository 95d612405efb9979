/**
 * The reader pool's task (server/workers/pool.ts): runs one subgraph query in
 * a worker thread, on that worker's own read-only connection to the store, so
 * SQLite reads never hold up the main event loop. Connections are opened on
 * first use and kept for the worker's life.
 */
import { ServedDeployment } from './deployment';
import { errors } from './errors';
import { executeRequest, isAttestable, type GraphQLRequest, type QueryResult, type QueryWork } from './execute';
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
  /** The result as JSON text, serialized here: a large result then costs the main thread one string copy, not a clone and a JSON.stringify. */
  text: string;
  /** graph-node's Graph-Attestable: the result carries no error another indexer could answer differently. */
  attestable: boolean;
  work: QueryWork;
}

const open = new Map<string, ServedDeployment>();

export type StoreRef = Pick<QueryTaskInput, 'path' | 'subgraph' | 'network'>;

function connection(store: StoreRef): ServedDeployment {
  let dep = open.get(store.path);
  if (!dep) {
    dep = ServedDeployment.open(store.path, store.subgraph, store.network, { readonly: true });
    open.set(store.path, dep);
  }
  return dep;
}

/** Opens the stores up front (WorkerPool.warmUp), so that no query pays for it. */
export function openStores(stores: StoreRef[]): number {
  let opened = 0;
  for (const store of stores) {
    try {
      connection(store);
      opened++;
    } catch {
      // answered by `query` when asked
    }
  }
  return opened;
}

export function query(input: QueryTaskInput, init: QueryTaskInit): QueryTaskOutput {
  const work: QueryWork = { statements: 0, rows: 0 };
  let dep: ServedDeployment;
  try {
    dep = connection(input);
  } catch (e) {
    return { text: JSON.stringify({ errors: [errors.storeUnavailable(`${input.subgraph}/${input.network}`, (e as Error).message).toJSON()] } satisfies QueryResult), attestable: false, work };
  }
  const result = executeRequest(dep, input.request, init.limits, work);
  return { text: JSON.stringify(result), attestable: isAttestable(result), work };
}
