/**
 * Runs a subgraph query in the reader pool (server/workers/pool.ts, task
 * module ./query-task) or, without a pool, on the calling thread, and turns
 * the pool's refusals into graph-node's answers: past the query timeout
 * "Query timed out", a full queue graph-node's "service is overloaded" (429).
 */
import { WorkerPoolError, type WorkerPool } from '../workers/pool';
import type { ServedDeployment } from './deployment';
import { errors } from './errors';
import { executeRequest, isAttestable, type GraphQLRequest, type QueryResult } from './execute';
import type { SubgraphLimits } from './limits';
import type { QueryTaskInput, QueryTaskOutput } from './query-task';

export interface QueryAnswer {
  status: number;
  /** The answer's JSON text. */
  text: string;
  /** graph-node's Graph-Attestable header. */
  attestable: boolean;
}

/** The answer, or null when `signal` aborted (the client went away: nobody to answer). */
export async function runQuery(
  dep: ServedDeployment,
  request: GraphQLRequest,
  options: { pool?: WorkerPool; limits: SubgraphLimits; signal: AbortSignal },
): Promise<QueryAnswer | null> {
  // Plain data only crosses to a worker.
  const plain: GraphQLRequest = { query: request.query, variables: request.variables ?? null, operationName: request.operationName ?? null };
  if (!options.pool) {
    const result = executeRequest(dep, plain, options.limits);
    return { status: 200, text: JSON.stringify(result), attestable: isAttestable(result) };
  }
  const input: QueryTaskInput = { path: dep.store.db.name, subgraph: dep.subgraph, network: dep.network, request: plain };
  try {
    const out = await options.pool.run<QueryTaskOutput>('query', input, { signal: options.signal, deadlineMs: options.limits.queryTimeoutMs ?? undefined });
    return { status: 200, text: out.text, attestable: out.attestable };
  } catch (e) {
    if (!(e instanceof WorkerPoolError)) throw e;
    if (e.code === 'CANCELLED') return null;
    if (e.code === 'DEADLINE') return { status: 200, text: JSON.stringify({ errors: [errors.timeout().toJSON()] } satisfies QueryResult), attestable: false };
    if (e.code === 'BUSY') return { status: 429, text: JSON.stringify({ errors: [errors.throttled().toJSON()] } satisfies QueryResult), attestable: false };
    throw e;
  }
}
