import { SourceError, sourceKey, type SourceDefinition } from '../sources';
import type { GatewayContext } from './context';

/** Runs `read` for every source; failures are recorded for the response and left out. */
export async function settle<T>(ctx: GatewayContext, sources: readonly SourceDefinition[], read: (s: SourceDefinition) => Promise<T>): Promise<{ ok: T[]; missing: string[] }> {
  const results = await Promise.allSettled(sources.map(read));
  const ok: T[] = [];
  const missing: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') ok.push(r.value);
    else if (r.reason instanceof SourceError) {
      ctx.sourceErrors.push(r.reason);
      missing.push(sourceKey(sources[i]));
    } else throw r.reason;
  });
  return { ok, missing };
}
