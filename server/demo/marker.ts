/**
 * Where `svr start` keeps the demo chain inside a data directory, and the
 * marker it writes once the chain is complete: the gateway reads the marker
 * to say that what it serves is synthetic (Query.dataset).
 */
import { join } from 'node:path';

export const DEMO_CHAIN_FOLDER = 'demo-chain';

export function demoChainDir(dataDir: string): string {
  return join(dataDir, DEMO_CHAIN_FOLDER);
}

/** The marker: JSON `{ settings: { seed, days, scale }, results }`. */
export function demoMarkerPath(dataDir: string): string {
  return join(demoChainDir(dataDir), 'COMPLETE');
}
