/**
 * The demo chain's blocks and the NDJSON it writes: a block clock per network
 * (block number <-> timestamp at the network's block time), deterministic block
 * and transaction hashes, ABI-exact log encoding with viem, and the two files
 * `svr index` reads (eth_getLogs result objects, block headers), in JSON-RPC hex.
 *
 * The headers file holds every block that has logs plus a "clock" header every
 * `clockSeconds`, so that the indexer's block pointer advances through quiet
 * stretches. Every header's parentHash is the hash of block number - 1 (hashes
 * are a function of the number), so consecutive numbers always link.
 */
import { encodeAbiParameters, keccak256, stringToBytes, toEventSelector, type AbiEvent, type AbiParameter, type Hex } from 'viem';
import type { RpcLog } from '../ingest/types';

export interface NetworkClock {
  network: string;
  /** Seconds between blocks (0.25 on Arbitrum One, 2 on Avalanche C-chain, Optimism). */
  blockTime: number;
  /** The block at the simulation's start time. */
  startBlock: number;
}

/**
 * Synthetic block clocks: realistic block times; start blocks in the range of each chain in early 2024.
 * base, matic and gnosis: the block time between the two 2024 blocks of each in
 * ../shared/fixtures/real-logs (README: block numbers and timestamps), and the start block that
 * time puts at START_TIMESTAMP counting back from the first of them; bsc (one fixture block, January
 * 2025): 3 s, BNB Chain's block time before its 2025 reductions (assumed), counted back the same way.
 */
export const CLOCKS: Record<string, NetworkClock> = {
  'arbitrum-one': { network: 'arbitrum-one', blockTime: 0.25, startBlock: 186_000_000 },
  avalanche: { network: 'avalanche', blockTime: 2, startBlock: 42_500_000 },
  optimism: { network: 'optimism', blockTime: 2, startBlock: 117_000_000 },
  mainnet: { network: 'mainnet', blockTime: 12, startBlock: 19_330_000 },
  base: { network: 'base', blockTime: 2, startBlock: 11_230_927 },
  // 2.24 s between the fixture blocks, rounded to a whole second as each header's time is.
  matic: { network: 'matic', blockTime: 2, startBlock: 53_998_116 },
  bsc: { network: 'bsc', blockTime: 3, startBlock: 36_556_648 },
  gnosis: { network: 'gnosis', blockTime: 5, startBlock: 32_683_367 },
};

/** 2024-03-01T00:00:00Z: the simulated start. */
export const START_TIMESTAMP = 1_709_251_200;

const hex = (n: number | bigint): string => '0x' + n.toString(16);

/** One event occurrence to encode: the ABI event and its argument values in order. */
export interface EmittedEvent {
  event: AbiEvent;
  args: readonly unknown[];
}

export interface DemoTx {
  /** Seconds since START_TIMESTAMP. */
  second: number;
  /** Tie-break among transactions in the same second (lower first). */
  order: number;
  address: string;
  events: EmittedEvent[];
}

/**
 * A fast deterministic 32-byte pseudo-hash of a string (eight 32-bit lanes, each a multiply-xorshift
 * mix of the characters with its own seed): for made-up transaction hashes, where keccak would cost
 * more than the rest of the run. Not cryptographic; distinct inputs collide with negligible probability.
 */
export function fastHash256(text: string): string {
  let out = '0x';
  for (let lane = 0; lane < 8; lane++) {
    let h = Math.imul(lane + 1, 0x9e3779b1) ^ text.length;
    for (let i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x5bd1e995);
      h ^= h >>> 15;
    }
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    h ^= h >>> 16;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** Encodes an event: topic0 and the indexed parameters as topics, the rest as data (viem). */
export class EventEncoder {
  private selectors = new Map<AbiEvent, Hex>();
  private dataParams = new Map<AbiEvent, AbiParameter[]>();

  encode(e: EmittedEvent): { topics: string[]; data: string } {
    let selector = this.selectors.get(e.event);
    let params = this.dataParams.get(e.event);
    if (!selector || !params) {
      selector = toEventSelector(e.event);
      params = e.event.inputs.filter((i) => !i.indexed);
      this.selectors.set(e.event, selector);
      this.dataParams.set(e.event, params);
    }
    const topics: string[] = [selector];
    const dataValues: unknown[] = [];
    e.event.inputs.forEach((input, k) => {
      // An indexed string or bytes sits in its topic as its keccak256 (Solidity's rule; GMX v2's eventNameHash).
      if (input.indexed && input.type === 'string') topics.push(keccak256(stringToBytes(e.args[k] as string)));
      else if (input.indexed && input.type === 'bytes') topics.push(keccak256(e.args[k] as Hex));
      else if (input.indexed) topics.push(encodeAbiParameters([input], [e.args[k]]));
      else dataValues.push(e.args[k]);
    });
    return { topics, data: params.length ? encodeAbiParameters(params, dataValues) : '0x' };
  }
}

export interface ChainFiles {
  logs: string;
  blocks: string;
  logCount: number;
  blockCount: number;
  firstBlock: number;
  lastBlock: number;
}

/**
 * Places the transactions in blocks (by their second, at the network's block time; several
 * transactions in one block get consecutive transaction indexes) and renders both NDJSON files.
 */
export function renderChain(seed: number, clock: NetworkClock, txs: DemoTx[], durationSeconds: number, clockSeconds: number): ChainFiles {
  const tag = `svr-demo:${clock.network}:${seed}:`;
  const blockHash = (n: number): string => keccak256(stringToBytes(tag + 'block:' + n));
  const blockOf = (second: number): number => clock.startBlock + Math.floor(second / clock.blockTime);
  const timestampOf = (n: number): number => START_TIMESTAMP + Math.floor((n - clock.startBlock) * clock.blockTime);

  const sorted = txs.map((tx, i) => ({ tx, i })).sort((a, b) => a.tx.second - b.tx.second || a.tx.order - b.tx.order || a.i - b.i);
  const blocks = new Set<number>();
  for (let s = 0; s <= durationSeconds; s += clockSeconds) blocks.add(blockOf(s));
  const encoder = new EventEncoder();
  const logLines: string[] = [];
  let currentBlock = -1;
  let txIndex = 0;
  let logIndex = 0;
  for (const { tx } of sorted) {
    if (tx.events.length === 0) continue;
    const n = blockOf(tx.second);
    if (n !== currentBlock) {
      currentBlock = n;
      txIndex = 0;
      logIndex = 0;
    }
    blocks.add(n);
    const hash = blockHash(n);
    const txHash = fastHash256(tag + 'tx:' + n + ':' + txIndex);
    for (const e of tx.events) {
      const { topics, data } = encoder.encode(e);
      const log: RpcLog = {
        address: tx.address.toLowerCase(),
        topics,
        data,
        blockNumber: hex(n),
        blockHash: hash,
        transactionHash: txHash,
        transactionIndex: hex(txIndex),
        logIndex: hex(logIndex++),
        removed: false,
      };
      logLines.push(JSON.stringify(log));
    }
    txIndex++;
  }
  const numbers = [...blocks].sort((a, b) => a - b);
  const headerLines = numbers.map((n) =>
    JSON.stringify({ number: hex(n), hash: blockHash(n), parentHash: blockHash(n - 1), timestamp: hex(timestampOf(n)) }),
  );
  return {
    logs: logLines.length ? logLines.join('\n') + '\n' : '',
    blocks: headerLines.join('\n') + '\n',
    logCount: logLines.length,
    blockCount: numbers.length,
    firstBlock: numbers[0],
    lastBlock: numbers[numbers.length - 1],
  };
}
