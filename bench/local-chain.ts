/**
 * The local node of tests and bench:ingest (server/demo/local-node.ts: Hardhat 2's
 * node on loopback and the log emitter), and the demo's GMX v1 transactions to emit on it.
 */
import { EventEncoder, type DemoTx } from '../server/demo/chain';
import { simulateGmx } from '../server/demo/gmx-v1';
import { simulatePrices } from '../server/demo/prices';
import type { EmittedLog } from '../server/demo/local-node';

export { LocalNode, startLocalNode, logEmitterCode, emitterCalldata, type EmittedLog, type LocalNodeOptions } from '../server/demo/local-node';

// ---------------------------------------------------------------------------
// GMX v1 events, as the demo simulates and encodes them
// ---------------------------------------------------------------------------

/** The first `count` GMX v1 Vault transactions of the demo's simulation on `network`, each as its encoded logs. */
export function gmxTransactions(network: string, count: number, seed = 1): Array<{ address: string; logs: EmittedLog[] }> {
  const paths = simulatePrices(seed, 24 * 60);
  const { txs } = simulateGmx({ network, seed, paths, scale: 1 });
  const sorted = txs
    .map((tx, i): [DemoTx, number] => [tx, i])
    .filter(([tx]) => tx.events.length > 0)
    .sort(([a, i], [b, j]) => a.second - b.second || a.order - b.order || i - j)
    .slice(0, count);
  const encoder = new EventEncoder();
  return sorted.map(([tx]) => ({ address: tx.address.toLowerCase(), logs: tx.events.map((e) => encoder.encode(e)) }));
}
