/**
 * Shared by the RPC indexing tests: the GMX v1 subgraph built for
 * arbitrum-one, and a Hardhat chain carrying the demo's GMX v1 Vault events
 * at the Vault's real address from its real start block on.
 */
import { join } from 'node:path';
import { gmxTransactions, type LocalNode } from '../../bench/local-chain';
import { buildSubgraph } from '../../server/compile/graph-build';
import { PROJECT_ROOT } from '../../server/paths';

const SUBGRAPHS = join(PROJECT_ROOT, 'subgraph');
export const NETWORK = 'arbitrum-one';
/** subgraph/networks.json: the arbitrum-one Vault and its start block. */
export const VAULT = '0x489ee077994b6658eafa855c308275ead8097c4a';
export const START_BLOCK = 227091;

export function gmxManifest(): string {
  return buildSubgraph({ subgraphDir: join(SUBGRAPHS, 'gmx-v1'), network: NETWORK, sourceRoot: SUBGRAPHS });
}

/** Mines up to the Vault's start block and places the log emitter at the Vault's address. */
export async function prepareChain(node: LocalNode): Promise<void> {
  const head = await node.blockNumber();
  if (head < START_BLOCK - 1) await node.mine(START_BLOCK - 1 - head);
  await node.installEmitter(VAULT);
}

let simulated: ReturnType<typeof gmxTransactions> = [];

/**
 * Sends GMX transactions `first` to `first + count - 1` of the demo simulation,
 * one block each, with `gap` empty blocks after every `every` of them.
 */
export async function emitGmx(node: LocalNode, first: number, count: number, options: { every?: number; gap?: number } = {}): Promise<void> {
  if (simulated.length < first + count) simulated = gmxTransactions(NETWORK, Math.max(first + count, 1000));
  const txs = simulated.slice(first, first + count);
  const every = options.every ?? 5;
  for (let i = 0; i < txs.length; i++) {
    if (txs[i].address !== VAULT) throw new Error(`the simulation emitted at ${txs[i].address}, not the arbitrum-one Vault`);
    await node.emit(VAULT, txs[i].logs);
    if ((i + 1) % every === 0) await node.mine(options.gap ?? 3);
  }
}

/** Polls `condition` until it holds; fails (not a timing assertion: a bound on a hang) after `limitMs`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
