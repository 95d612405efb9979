/**
 * Mapping apiVersions and what changes between them, as graph-node has it
 * (graph/src/data/subgraph/api_version.rs, chain/ethereum/src/trigger.rs,
 * chain/ethereum/src/runtime/abi.rs). svr runs 0.0.5, the first with the
 * AssemblyScript memory layout graph-cli 0.98 compiles to, up to graph-node's
 * default GRAPH_MAX_API_VERSION:
 * - 0.0.6: Block.baseFeePerGas and Transaction.nonce;
 * - 0.0.7: Event.receipt, and receipts fetched for `receipt: true` handlers;
 * - 0.0.8: store.set refuses fields the schema does not define;
 * - 0.0.9: ethereum.getBalance and ethereum.hasCode.
 */
export const MIN_API_VERSION = '0.0.5';
export const MAX_API_VERSION = '0.0.9';

/** Compares dotted numeric versions: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const apiVersionAtLeast = (version: string, min: string): boolean => compareVersions(version, min) >= 0;

/**
 * The shape of the trigger structs graph-node writes for a mapping's
 * apiVersion. A mapping compiled against a later graph-ts that reads a field
 * its apiVersion lacks reads past the struct, as it does on graph-node.
 */
export interface TriggerLayout {
  blockBaseFeePerGas: boolean;
  transactionNonce: boolean;
  eventReceipt: boolean;
}

export function triggerLayout(apiVersion: string): TriggerLayout {
  return {
    blockBaseFeePerGas: apiVersionAtLeast(apiVersion, '0.0.6'),
    transactionNonce: apiVersionAtLeast(apiVersion, '0.0.6'),
    eventReceipt: apiVersionAtLeast(apiVersion, '0.0.7'),
  };
}
