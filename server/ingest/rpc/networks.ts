/**
 * How deep a reorganization can be, per network: blocks below
 * `head - finalityDepth` are treated as final (indexed in large ranges,
 * skipping blocks without triggers), blocks above it are indexed one by one
 * with their hashes kept and checked, so that a reorg there is rolled back.
 * `svr index --finality-depth <n>` overrides the default.
 *
 * The figures are conservative: deeper than any reorg these chains have shown,
 * shallow enough that following the head stays cheap. graph-node uses one
 * number for every chain (ETHEREUM_REORG_THRESHOLD, 250 blocks), which is the
 * default here for networks not listed.
 */
export const DEFAULT_FINALITY_DEPTH = 250;

export const FINALITY_DEPTH: Readonly<Record<string, number>> = {
  // Two epochs (64 slots): finalized by Casper FFG.
  mainnet: 64,
  sepolia: 64,
  holesky: 64,
  // L2 sequencer blocks reorg only if the sequencer's batch is not posted; a minute of blocks.
  'arbitrum-one': 240,
  optimism: 120,
  base: 120,
  // Snowman consensus finalizes on acceptance; a margin for nodes that serve unaccepted blocks.
  avalanche: 12,
  // Polygon PoS has seen reorgs of over 100 blocks.
  matic: 256,
  bsc: 64,
};

export function finalityDepth(network: string, override?: number): number {
  if (override !== undefined) {
    if (!Number.isInteger(override) || override < 0) {
      throw new Error(`--finality-depth must be a whole number of blocks (0 or more), not ${override}`);
    }
    return override;
  }
  return FINALITY_DEPTH[network] ?? DEFAULT_FINALITY_DEPTH;
}

/**
 * EIP-155 chain ids of the networks by graph-cli's name (chainlist.org/chain/<id>:
 * 1 Ethereum, 10 OP Mainnet, 42161 Arbitrum One, 43114 Avalanche C-Chain, 8453 Base,
 * 137 Polygon PoS, 56 BNB Smart Chain, 100 Gnosis, 534352 Scroll). The
 * live demo's local nodes answer eth_chainId with these.
 */
export const CHAIN_IDS: Readonly<Record<string, number>> = {
  mainnet: 1,
  optimism: 10,
  'arbitrum-one': 42161,
  avalanche: 43114,
  base: 8453,
  matic: 137,
  bsc: 56,
  gnosis: 100,
  scroll: 534352,
};
