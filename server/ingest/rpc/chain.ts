/**
 * What the indexer asks of an Ethereum JSON-RPC node, in ingest's types:
 * the head, block headers (batched), logs over adaptive block ranges
 * (eth_getLogs with address and topic0 filters), and the transactions and
 * receipts of the logs that trigger handlers (batched). Answers are validated
 * as strictly as NDJSON lines are (../ndjson.ts), by the same code.
 */
import { parseHeaderObject, parseLogObject } from '../ndjson';
import type { BlockHeader, Log, Transaction, TransactionReceipt } from '../types';
import { isRetryable, RpcError, type RpcClient } from './client';
import { classifyRefusal, LogRangeSizer, suggestedRange, type RangeSizerOptions } from './log-ranges';

/** One eth_getLogs filter: logs at these addresses (null: any address) whose topic0 is one of these. */
export interface LogFilter {
  addresses: string[] | null;
  topic0s: string[];
}

/** Addresses per eth_getLogs filter: nodes bound the size of a request. */
const ADDRESSES_PER_FILTER = 500;

export class ChainError extends Error {
  constructor(
    readonly code: 'BLOCK_NOT_AVAILABLE' | 'RANGE_REFUSED' | 'BAD_ANSWER',
    message: string,
  ) {
    super(message);
    this.name = 'ChainError';
  }
}

const hex = (n: number | bigint) => '0x' + n.toString(16);

function quantity(v: unknown, what: string): bigint {
  if (typeof v !== 'string' || !/^0x[0-9a-f]+$/i.test(v)) throw new ChainError('BAD_ANSWER', `${what} is ${JSON.stringify(v)}, not a hex quantity`);
  return BigInt(v);
}

function hexData(v: unknown, what: string, bytes?: number): string {
  if (typeof v !== 'string' || !/^0x[0-9a-f]*$/i.test(v) || (bytes !== undefined && v.length !== 2 + 2 * bytes)) {
    throw new ChainError('BAD_ANSWER', `${what} is ${JSON.stringify(v)}, not ${bytes ? `${bytes} bytes of hex` : 'hex data'}`);
  }
  return v.toLowerCase();
}

/** A transaction object as eth_getTransactionByHash (or a full eth_getBlockByNumber) returns it. */
export function parseTransaction(t: Record<string, unknown>, what: string): Transaction {
  return {
    hash: hexData(t.hash, `${what}: hash`, 32),
    index: quantity(t.transactionIndex, `${what}: transactionIndex`),
    from: hexData(t.from, `${what}: from`, 20),
    to: t.to === null || t.to === undefined ? null : hexData(t.to, `${what}: to`, 20),
    value: quantity(t.value, `${what}: value`),
    gasLimit: quantity(t.gas, `${what}: gas`),
    gasPrice: t.gasPrice === undefined || t.gasPrice === null ? 0n : quantity(t.gasPrice, `${what}: gasPrice`),
    input: hexData(t.input ?? '0x', `${what}: input`),
    nonce: quantity(t.nonce, `${what}: nonce`),
  };
}

export class RpcChain {
  readonly sizer: LogRangeSizer;

  constructor(
    readonly client: RpcClient,
    sizer: RangeSizerOptions = {},
  ) {
    this.sizer = new LogRangeSizer(sizer);
  }

  async headNumber(): Promise<number> {
    return Number(quantity(await this.client.call('eth_blockNumber', []), 'eth_blockNumber'));
  }

  /** Headers by number, in one batch (split at the client's batch size). A block the node does not have yet is an error. */
  async headers(numbers: number[]): Promise<Map<number, BlockHeader>> {
    const unique = [...new Set(numbers)].sort((a, b) => a - b);
    const answers = await this.client.batch<Record<string, unknown> | null>(unique.map((n) => ({ method: 'eth_getBlockByNumber', params: [hex(n), false] })));
    const out = new Map<number, BlockHeader>();
    answers.forEach((a, k) => {
      const n = unique[k];
      if ('error' in a) throw a.error;
      if (a.result === null) throw new ChainError('BLOCK_NOT_AVAILABLE', `${this.client.url} has no block ${n} (yet)`);
      const header = parseHeaderObject(a.result, { file: `eth_getBlockByNumber(${n}) from ${this.client.url}`, line: 0 });
      if (Number(header.number) !== n) throw new ChainError('BAD_ANSWER', `asked ${this.client.url} for block ${n}, got block ${header.number}`);
      out.set(n, header);
    });
    return out;
  }

  /**
   * The logs of the blocks from `from` up to at most `to`, matching any of the
   * filters, ordered by block and log index. The range actually covered ends at
   * the returned `to`, which may be below the one asked: the sizer decides how
   * much the node is asked for at once.
   */
  async logs(from: number, to: number, filters: LogFilter[]): Promise<{ to: number; logs: Log[] }> {
    const queries: Array<{ address?: string[]; topics: string[][] }> = [];
    for (const f of filters) {
      if (f.topic0s.length === 0) continue;
      if (f.addresses === null) queries.push({ topics: [f.topic0s] });
      else for (let i = 0; i < f.addresses.length; i += ADDRESSES_PER_FILTER) queries.push({ address: f.addresses.slice(i, i + ADDRESSES_PER_FILTER), topics: [f.topic0s] });
    }
    for (;;) {
      const end = Math.min(to, from + this.sizer.size - 1);
      const blocks = end - from + 1;
      try {
        const byKey = new Map<string, Log>();
        for (const q of queries) {
          const raw = await this.client.call<unknown[]>('eth_getLogs', [{ fromBlock: hex(from), toBlock: hex(end), ...q }], (e) => classifyRefusal(e.message, e.code) === null && isRetryable(e));
          if (!Array.isArray(raw)) throw new ChainError('BAD_ANSWER', `eth_getLogs from ${this.client.url} answered ${JSON.stringify(raw).slice(0, 80)}, not an array`);
          raw.forEach((obj, k) => {
            const log = parseLogObject(obj as Record<string, unknown>, { file: `eth_getLogs(${from}..${end}) from ${this.client.url}, result`, line: k });
            byKey.set(`${log.blockHash}:${log.logIndex}`, log);
          });
        }
        const logs = [...byKey.values()].sort((a, b) => (a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1));
        this.sizer.answered(blocks, logs.length);
        return { to: end, logs };
      } catch (e) {
        const refusal = e instanceof RpcError ? classifyRefusal(e.message, e.code) : null;
        if (!refusal) throw e;
        const suggestion = suggestedRange((e as RpcError).message);
        if (!this.sizer.refused(blocks, refusal, suggestion ? suggestion.to - suggestion.from + 1 : null)) {
          throw new ChainError(
            'RANGE_REFUSED',
            `${this.client.url} refuses eth_getLogs even for the single block ${from} (${(e as Error).message}): use a node without that limit`,
          );
        }
      }
    }
  }

  /** Full transactions by hash, batched. */
  async transactions(hashes: string[]): Promise<Map<string, Transaction>> {
    const unique = [...new Set(hashes)];
    const answers = await this.client.batch<Record<string, unknown> | null>(unique.map((h) => ({ method: 'eth_getTransactionByHash', params: [h] })));
    const out = new Map<string, Transaction>();
    answers.forEach((a, k) => {
      if ('error' in a) throw a.error;
      const t = a.result;
      const what = `eth_getTransactionByHash(${unique[k]}) from ${this.client.url}`;
      if (t === null) throw new ChainError('BLOCK_NOT_AVAILABLE', `${what}: unknown transaction (reorganized away?)`);
      out.set(unique[k], parseTransaction(t, what));
    });
    return out;
  }

  /** Receipts by transaction hash, batched. */
  async receipts(hashes: string[]): Promise<Map<string, TransactionReceipt>> {
    const unique = [...new Set(hashes)];
    const answers = await this.client.batch<Record<string, unknown> | null>(unique.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })));
    const out = new Map<string, TransactionReceipt>();
    answers.forEach((a, k) => {
      if ('error' in a) throw a.error;
      const r = a.result;
      const what = `eth_getTransactionReceipt(${unique[k]}) from ${this.client.url}`;
      if (r === null) throw new ChainError('BLOCK_NOT_AVAILABLE', `${what}: unknown transaction (reorganized away?)`);
      const logs = Array.isArray(r.logs) ? r.logs : [];
      out.set(unique[k], {
        transactionHash: hexData(r.transactionHash, `${what}: transactionHash`, 32),
        transactionIndex: quantity(r.transactionIndex, `${what}: transactionIndex`),
        blockHash: hexData(r.blockHash, `${what}: blockHash`, 32),
        blockNumber: quantity(r.blockNumber, `${what}: blockNumber`),
        cumulativeGasUsed: quantity(r.cumulativeGasUsed, `${what}: cumulativeGasUsed`),
        gasUsed: quantity(r.gasUsed, `${what}: gasUsed`),
        contractAddress: r.contractAddress ? hexData(r.contractAddress, `${what}: contractAddress`, 20) : null,
        logs: logs.map((l, i) => parseLogObject(l as Record<string, unknown>, { file: `${what}, log`, line: i })),
        // Pre-Byzantium receipts carry a state root instead of a status.
        status: r.status === undefined || r.status === null ? 0n : quantity(r.status, `${what}: status`),
        root: typeof r.root === 'string' ? hexData(r.root, `${what}: root`) : null,
        logsBloom: hexData(r.logsBloom, `${what}: logsBloom`),
      });
    });
    return out;
  }
}
