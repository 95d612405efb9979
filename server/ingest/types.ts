/**
 * The input of `svr index`: eth_getLogs results and block headers, as read
 * from NDJSON files (see ./ndjson.ts) and handed to the indexer block by block.
 */

/**
 * One eth_getLogs result object as JSON-RPC sends it: quantities and data as
 * 0x-prefixed hex strings (lowercased by the reader; `removed` is a JSON boolean).
 */
export interface RpcLog {
  address: string;
  topics: string[];
  data: string;
  blockNumber: string;
  blockHash: string;
  transactionHash: string;
  transactionIndex: string;
  logIndex: string;
  removed: boolean;
}

/** A validated log. Hex strings are lowercase and 0x-prefixed; quantities are numbers. */
export interface Log {
  /** 20 bytes. */
  address: string;
  /** 0 to 4 topics of 32 bytes each. */
  topics: string[];
  /** Even-length hex, possibly just `0x`. */
  data: string;
  blockNumber: bigint;
  /** 32 bytes. */
  blockHash: string;
  /** 32 bytes. */
  transactionHash: string;
  transactionIndex: number;
  logIndex: number;
  /** Always false for logs read from a file: removed logs are rejected. */
  removed: boolean;
}

/**
 * Optional eth_getBlockByNumber fields a header line may carry, kept as the raw
 * lowercase hex strings JSON-RPC sends (the mapping's ethereum.Block gets them;
 * an absent field stays absent).
 */
export interface BlockHeaderExtras {
  /** 20 bytes (graph-ts `author`). */
  miner?: string;
  gasUsed?: string;
  gasLimit?: string;
  baseFeePerGas?: string;
  difficulty?: string;
  totalDifficulty?: string;
  size?: string;
  /** 32 bytes each. */
  stateRoot?: string;
  transactionsRoot?: string;
  receiptsRoot?: string;
  /** graph-ts `unclesHash`. */
  sha3Uncles?: string;
}

export interface BlockHeader extends BlockHeaderExtras {
  number: bigint;
  /** 32 bytes, lowercase hex. */
  hash: string;
  /**
   * 32 bytes, lowercase hex. Null only for a header read with `unlinked: true` whose source
   * recorded no parent hash (readBlockHeaders): the parent is unknown, never made up.
   */
  parentHash: string | null;
  /** Unix seconds. */
  timestamp: bigint;
}

/**
 * The transaction a log came from, as eth_getTransactionByHash returns it.
 * NDJSON files carry only the hash and index; an RPC ingest fills the rest.
 */
export interface Transaction {
  /** 32 bytes. */
  hash: string;
  index: bigint;
  /** 20 bytes. */
  from?: string;
  /** 20 bytes; null for a contract creation. */
  to?: string | null;
  value?: bigint;
  /** The transaction's `gas` field. */
  gasLimit?: bigint;
  gasPrice?: bigint;
  input?: string;
  nonce?: bigint;
}

/** eth_getTransactionReceipt's answer, for handlers with `receipt: true`. */
export interface TransactionReceipt {
  transactionHash: string;
  transactionIndex: bigint;
  blockHash: string;
  blockNumber: bigint;
  cumulativeGasUsed: bigint;
  gasUsed: bigint;
  contractAddress: string | null;
  logs: Log[];
  status: bigint;
  /** Pre-Byzantium state root; null after. */
  root: string | null;
  logsBloom: string;
}

/** One block to index: its header and its logs in logIndex order. */
export interface BlockWithLogs {
  header: BlockHeader;
  logs: Log[];
  /** Full transactions by hash, where the source has them (RPC); else a mapping sees hash and index only. */
  transactions?: ReadonlyMap<string, Transaction>;
  /** Receipts by transaction hash, for handlers with `receipt: true` (RPC only). */
  receipts?: ReadonlyMap<string, TransactionReceipt>;
}

/**
 * A recorded answer to a contract read a mapping makes, for `svr index --calls`:
 * one JSON-RPC request and its answer a line, e.g.
 * `{"method":"eth_call","params":[{"to":"0x…","data":"0x…"},"0x10"],"result":"0x…"}`.
 * An `error` in place of `result` records a reverted call.
 */
export type RecordedCall =
  | { method: 'eth_call'; to: string; data: string; blockNumber: bigint; result: string | null }
  | { method: 'eth_getBalance'; address: string; blockNumber: bigint; result: bigint }
  | { method: 'eth_getCode'; address: string; blockNumber: bigint; result: string };
