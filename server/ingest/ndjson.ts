/**
 * Reads the two NDJSON inputs of `svr index --logs <file> --blocks <file>`:
 * one eth_getLogs result object per line, and one block header per line.
 *
 * Everything is read and validated before anything is returned, so a bad line
 * late in a file fails the run before the first block is applied. Each failure
 * is an IngestError naming the file and the 1-based line, what is wrong and
 * what to do about it. Files are streamed line by line: they can be large.
 */
import { open } from 'node:fs/promises';
import type { BlockHeader, BlockHeaderExtras, BlockWithLogs, Log, RecordedCall, RpcLog } from './types';

export type IngestErrorCode =
  | 'UNREADABLE_FILE'
  | 'MALFORMED_JSON'
  | 'NOT_AN_OBJECT'
  | 'MISSING_FIELD'
  | 'NOT_HEX'
  | 'WRONG_LENGTH'
  | 'BAD_FIELD'
  | 'TOO_MANY_TOPICS'
  | 'REMOVED_LOG'
  | 'NO_HEADER'
  | 'BLOCK_HASH_MISMATCH'
  | 'DUPLICATE_LOG'
  | 'HEADERS_NOT_INCREASING'
  | 'PARENT_HASH_MISMATCH'
  | 'OUT_OF_RANGE'
  | 'RESUME_PARENT_MISMATCH'
  | 'BAD_CALL_RECORD';

export class IngestError extends Error {
  constructor(
    readonly code: IngestErrorCode,
    /** The file as given; null for a log or header that was not read from a file. */
    readonly file: string | null,
    /** 1-based; 0 when the error concerns the whole file, null when not read from a file. */
    readonly line: number | null,
    message: string,
  ) {
    super(message);
    this.name = 'IngestError';
  }
}

/** Where a log or header was read from, kept off the object so it stays a plain Log / BlockHeader. */
export interface Source {
  file: string;
  line: number;
}
const sources = new WeakMap<object, Source>();

/** The file and line a log or header returned by this module came from. */
export function sourceOf(item: Log | BlockHeader): Source | undefined {
  return sources.get(item);
}

function where(s: Source | undefined): string {
  return s ? `${s.file} line ${s.line}` : '(not read from a file)';
}

function fail(code: IngestErrorCode, s: Source | undefined, problem: string, remedy: string): IngestError {
  return new IngestError(code, s?.file ?? null, s ? s.line : null, `${where(s)}: ${problem}; ${remedy}`);
}

// ---------------------------------------------------------------------------
// Reading lines
// ---------------------------------------------------------------------------

/**
 * Calls `onLine` with each non-blank line and its 1-based number. Blank lines
 * (and the final newline) are skipped but still counted.
 */
async function eachLine(file: string, onLine: (text: string, line: number) => void): Promise<void> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    throw unreadable(file, e);
  }
  let line = 0;
  try {
    for await (const raw of handle.readLines({ encoding: 'utf8' })) {
      line++;
      // A UTF-8 byte order mark is not part of the first object.
      const text = line === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
      if (text.trim() === '') continue;
      onLine(text, line);
    }
  } catch (e) {
    if (e instanceof IngestError) throw e;
    throw unreadable(file, e);
  } finally {
    await handle.close().catch(() => {});
  }
}

function unreadable(file: string, e: unknown): IngestError {
  const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
  return new IngestError('UNREADABLE_FILE', file, 0, `${file}: cannot be read (${reason}); check the path and its permissions`);
}

function parseObject(text: string, s: Source, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fail('MALFORMED_JSON', s, `not valid JSON (${(e as Error).message})`, `each line must be one complete JSON ${what} object (NDJSON); fix or remove the line`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw fail('NOT_AN_OBJECT', s, `the line holds ${kind}, not a JSON object`, `each line must be one ${what} object`);
  }
  return value as Record<string, unknown>;
}

// ---------------------------------------------------------------------------
// Fields
// ---------------------------------------------------------------------------

const HEX = /^0x[0-9a-fA-F]*$/;

/**
 * The ranges graph-node (and the store) accept, checked as each line is read so
 * that nothing is applied from an input with a value out of range:
 * - block numbers are graph-node's BlockNumber, a 32-bit signed integer
 *   (graph/src/blockchain/types.rs);
 * - block timestamps become graph-node's BlockTime, a chrono DateTime<Utc>
 *   built from i64 seconds (BlockTime::since_epoch), whose last second is
 *   +262142-12-31T23:59:59Z.
 */
export const MAX_BLOCK_NUMBER = 2_147_483_647n;
export const MAX_BLOCK_TIMESTAMP = 8_210_266_876_799n;

/** Shows a rejected value without flooding the message. */
function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

class Fields {
  constructor(
    private readonly obj: Record<string, unknown>,
    private readonly s: Source,
    /** "log" or "header": names the record in messages. */
    private readonly what: string,
    private readonly required: string,
  ) {}

  present(name: string): boolean {
    return this.obj[name] !== undefined && this.obj[name] !== null;
  }

  /** The field's value; absent or null is an error. */
  get(name: string): unknown {
    const v = this.obj[name];
    if (v !== undefined && v !== null) return v;
    // Nodes send null block fields for pending logs: those are not on the chain yet.
    const pending = v === null && ['blockNumber', 'blockHash', 'transactionHash', 'transactionIndex', 'logIndex', 'number', 'hash'].includes(name);
    throw fail(
      'MISSING_FIELD',
      this.s,
      v === null ? `"${name}" is null${pending ? ' (a pending record, not yet in a block)' : ''}` : `the ${this.what} has no "${name}" field`,
      `every ${this.what} needs ${this.required}, as JSON-RPC returns them${pending ? '; export mined blocks only' : ''}`,
    );
  }

  /** A 0x hex string, lowercased. */
  hex(name: string): string {
    return this.hexValue(this.get(name), name);
  }

  hexValue(v: unknown, label: string): string {
    if (typeof v !== 'string' || !HEX.test(v)) {
      throw fail('NOT_HEX', this.s, `"${label}" is ${show(v)}, not a 0x-prefixed hex string`, 'write it as JSON-RPC does, e.g. "0x1a"');
    }
    return v.toLowerCase();
  }

  /** Exactly `bytes` bytes of hex. */
  fixed(name: string, bytes: number, kind: string): string {
    return this.fixedValue(this.get(name), bytes, kind, name);
  }

  fixedValue(v: unknown, bytes: number, kind: string, label: string): string {
    const hex = this.hexValue(v, label);
    if (hex.length !== 2 + bytes * 2) {
      const digits = hex.length - 2;
      throw fail(
        'WRONG_LENGTH',
        this.s,
        `"${label}" has ${digits} hex digits${digits % 2 === 0 ? ` (${digits / 2} bytes)` : ''}`,
        `${kind} is ${bytes} bytes: 0x and ${bytes * 2} hex digits`,
      );
    }
    return hex;
  }

  /** A JSON-RPC quantity: 0x and at least one hex digit. */
  quantityText(name: string): string {
    const hex = this.hex(name);
    if (hex.length === 2) {
      throw fail('NOT_HEX', this.s, `"${name}" is "0x", which has no digits`, 'a quantity has at least one hex digit, e.g. "0x0"');
    }
    return hex;
  }

  quantity(name: string): bigint {
    return BigInt(this.quantityText(name));
  }

  /** A quantity that fits 256 bits (graph-node's U256), as lowercase hex text. */
  u256Text(name: string): string {
    const hex = this.quantityText(name);
    if (hex.replace(/^0x0*/, '').length > 64) {
      throw fail('OUT_OF_RANGE', this.s, `"${name}" has more than 256 bits`, `graph-node keeps ${name} as a 256-bit unsigned integer: check the ${this.what}`);
    }
    return hex;
  }

  /** A quantity within [0, max]; `what` says whose range it is. */
  bounded(name: string, max: bigint, what: string): bigint {
    const v = this.quantity(name);
    if (v > max) {
      throw fail('OUT_OF_RANGE', this.s, `"${name}" is ${v}, above ${max}, the largest ${what}`, `check the ${this.what}: no real chain has such a ${name}`);
    }
    return v;
  }

  /** A quantity that must fit a JS number (indexes). */
  smallQuantity(name: string): number {
    const v = this.quantity(name);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw fail('BAD_FIELD', this.s, `"${name}" is ${v}, far larger than any real ${name}`, 'check that the line is an eth_getLogs result');
    }
    return Number(v);
  }
}

const LOG_FIELDS = 'address, topics, data, blockNumber, blockHash, transactionHash, transactionIndex and logIndex';
const HEADER_FIELDS = 'number, hash, parentHash and timestamp';

/** Validates one logs-file line (an eth_getLogs result object). */
export function parseLogLine(text: string, file: string, line: number): Log {
  const s = { file, line };
  return parseLogObject(parseObject(text, s, 'eth_getLogs result'), s);
}

/** Validates one eth_getLogs result object, from a file line or a node's answer (`s` names where it came from). */
export function parseLogObject(obj: Record<string, unknown>, s: Source): Log {
  const f = new Fields(obj, s, 'log', LOG_FIELDS);
  const address = f.fixed('address', 20, 'an address');
  const rawTopics = f.get('topics');
  if (!Array.isArray(rawTopics)) {
    throw fail('BAD_FIELD', s, `"topics" is ${show(rawTopics)}, not an array`, 'topics is a JSON array of 32-byte hex strings');
  }
  if (rawTopics.length > 4) {
    throw fail('TOO_MANY_TOPICS', s, `the log has ${rawTopics.length} topics`, 'an EVM log has at most 4 topics (LOG0..LOG4): this line is not a real log; fix or remove it');
  }
  const topics = rawTopics.map((t: unknown, i) => f.fixedValue(t, 32, 'a topic', `topics[${i}]`));
  const data = f.hex('data');
  if (data.length % 2 !== 0) {
    throw fail('WRONG_LENGTH', s, `"data" has an odd number of hex digits (${data.length - 2})`, 'data is whole bytes: an even number of hex digits after 0x');
  }
  const blockNumber = f.bounded('blockNumber', MAX_BLOCK_NUMBER, "block number graph-node keeps (a 32-bit signed integer)");
  const blockHash = f.fixed('blockHash', 32, 'a block hash');
  const transactionHash = f.fixed('transactionHash', 32, 'a transaction hash');
  const transactionIndex = f.smallQuantity('transactionIndex');
  const logIndex = f.smallQuantity('logIndex');
  const removed = obj.removed;
  if (removed !== undefined && typeof removed !== 'boolean') {
    throw fail('BAD_FIELD', s, `"removed" is ${show(removed)}, not true or false`, 'removed is a JSON boolean, as eth_getLogs returns it');
  }
  if (removed === true) {
    throw fail(
      'REMOVED_LOG',
      s,
      `the log at block ${blockNumber}, logIndex ${logIndex} has "removed": true (a chain reorganization dropped it)`,
      'the logs file must hold the canonical chain only: export the logs again once the blocks are final, without removed logs',
    );
  }
  const log: Log = { address, topics, data, blockNumber, blockHash, transactionHash, transactionIndex, logIndex, removed: false };
  sources.set(log, s);
  return log;
}

/** The optional header fields kept, by kind. */
const EXTRA_QUANTITIES = ['gasUsed', 'gasLimit', 'baseFeePerGas', 'difficulty', 'totalDifficulty', 'size'] as const;
const EXTRA_HASHES = ['stateRoot', 'transactionsRoot', 'receiptsRoot', 'sha3Uncles'] as const;

/**
 * How a blocks file is read. `unlinked`: a header may carry `"parentHash": null` (its source
 * recorded no parent, e.g. blocks known only from transaction receipts): such a block is read
 * with its parent unknown (parentHash null), its link to the block before is not checked, and
 * the store records it with no parent hash. Nothing is filled in. An absent field, or a parent
 * hash that is not null, is read and checked as always.
 */
export interface HeaderReadOptions {
  unlinked?: boolean;
}

/** Validates one blocks-file line (a block header). */
export function parseHeaderLine(text: string, file: string, line: number, options: HeaderReadOptions = {}): BlockHeader {
  const s = { file, line };
  return parseHeaderObject(parseObject(text, s, 'block header'), s, options);
}

/** Validates one block header object (an eth_getBlockByNumber result, or a file line). */
export function parseHeaderObject(obj: Record<string, unknown>, s: Source, options: HeaderReadOptions = {}): BlockHeader {
  const f = new Fields(obj, s, 'header', HEADER_FIELDS);
  if (obj.parentHash === null && !options.unlinked) {
    throw fail(
      'MISSING_FIELD',
      s,
      '"parentHash" is null: the header\'s parent is unknown',
      'export the header from a node (eth_getBlockByNumber), or, where no header was recorded, index the file with --unlinked-blocks (svr index) to accept blocks whose parent is unknown',
    );
  }
  const header: BlockHeader = {
    number: f.bounded('number', MAX_BLOCK_NUMBER, "block number graph-node keeps (a 32-bit signed integer)"),
    hash: f.fixed('hash', 32, 'a block hash'),
    parentHash: obj.parentHash === null ? null : f.fixed('parentHash', 32, 'a block hash'),
    timestamp: f.bounded('timestamp', MAX_BLOCK_TIMESTAMP, "block time graph-node keeps (Unix seconds of +262142-12-31T23:59:59Z)"),
  };
  const extras: BlockHeaderExtras = header;
  // null counts as absent: pre-London blocks have no baseFeePerGas, post-merge nodes may send no totalDifficulty.
  // graph-node keeps these as U256: at most 64 hex digits.
  for (const name of EXTRA_QUANTITIES) if (f.present(name)) extras[name] = f.u256Text(name);
  for (const name of EXTRA_HASHES) if (f.present(name)) extras[name] = f.fixed(name, 32, 'a root hash');
  if (f.present('miner')) extras.miner = f.fixed('miner', 20, 'an address');
  sources.set(header, s);
  return header;
}

/** The wire form of a validated log (lowercase hex), e.g. to write a logs file back. */
export function toRpcLog(log: Log): RpcLog {
  const q = (v: bigint | number) => `0x${v.toString(16)}`;
  return {
    address: log.address,
    topics: [...log.topics],
    data: log.data,
    blockNumber: q(log.blockNumber),
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    transactionIndex: q(log.transactionIndex),
    logIndex: q(log.logIndex),
    removed: log.removed,
  };
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/** Reads and validates a logs file; duplicate (blockNumber, logIndex) pairs are rejected. */
export async function readLogs(path: string): Promise<Log[]> {
  const logs: Log[] = [];
  const seen = new Map<string, number>();
  await eachLine(path, (text, line) => {
    const log = parseLogLine(text, path, line);
    const key = `${log.blockNumber}:${log.logIndex}`;
    const first = seen.get(key);
    if (first !== undefined) throw duplicate(log, { file: path, line: first });
    seen.set(key, line);
    logs.push(log);
  });
  return logs;
}

function duplicate(log: Log, firstAt: Source | undefined): IngestError {
  return fail(
    'DUPLICATE_LOG',
    sourceOf(log),
    `a second log at block ${log.blockNumber} with logIndex ${log.logIndex} (the first is at ${where(firstAt)})`,
    'each (blockNumber, logIndex) may appear once: remove the repeated line (overlapping exports?)',
  );
}

/**
 * Reads and validates a blocks file: strictly ascending numbers, consecutive blocks linked by
 * parentHash (a block whose parent is unknown, read with `unlinked`, is not checked).
 */
export async function readBlockHeaders(path: string, options: HeaderReadOptions = {}): Promise<BlockHeader[]> {
  const headers: BlockHeader[] = [];
  await eachLine(path, (text, line) => {
    const header = parseHeaderLine(text, path, line, options);
    const previous = headers[headers.length - 1];
    if (previous) checkOrder(previous, header);
    headers.push(header);
  });
  return headers;
}

function checkOrder(previous: BlockHeader, header: BlockHeader): void {
  const at = sourceOf(header);
  if (header.number <= previous.number) {
    const again = header.number === previous.number;
    throw fail(
      'HEADERS_NOT_INCREASING',
      at,
      again
        ? `block ${header.number} appears again (also at ${where(sourceOf(previous))})`
        : `block ${header.number} comes after block ${previous.number} (at ${where(sourceOf(previous))})`,
      'headers must be in strictly ascending block order, one line per block: sort the file and drop repeated blocks',
    );
  }
  if (header.number === previous.number + 1n && header.parentHash !== null && header.parentHash !== previous.hash) {
    throw fail(
      'PARENT_HASH_MISMATCH',
      at,
      `block ${header.number} has parentHash ${header.parentHash}, but block ${previous.number} (at ${where(sourceOf(previous))}) has hash ${previous.hash}`,
      'the headers come from different branches of the chain (a reorg during export?): export the blocks again from the canonical chain',
    );
  }
}

/**
 * Joins logs to their headers: one entry per header in ascending block order
 * (blocks without logs included), each block's logs in logIndex order. Every
 * log needs a header with the same number and hash. The headers are checked
 * again for order and parent links, since callers may merge several files.
 */
export function groupLogsByBlock(headers: BlockHeader[], logs: Log[]): BlockWithLogs[] {
  const sorted = [...headers].sort((a, b) => (a.number < b.number ? -1 : a.number > b.number ? 1 : 0));
  const blocks: BlockWithLogs[] = [];
  const byNumber = new Map<bigint, BlockWithLogs>();
  for (const header of sorted) {
    const previous = blocks[blocks.length - 1];
    if (previous) checkOrder(previous.header, header);
    const block = { header, logs: [] as Log[] };
    blocks.push(block);
    byNumber.set(header.number, block);
  }
  const blocksFile = sorted.map((h) => sourceOf(h)?.file).find((f) => f !== undefined) ?? 'the blocks file';
  for (const log of logs) {
    const at = sourceOf(log);
    if (log.removed) {
      throw fail('REMOVED_LOG', at, `the log at block ${log.blockNumber}, logIndex ${log.logIndex} is marked removed`, 'index the canonical chain only');
    }
    const block = byNumber.get(log.blockNumber);
    if (!block) {
      throw fail(
        'NO_HEADER',
        at,
        `the log is in block ${log.blockNumber}, which has no header in ${blocksFile}`,
        `add block ${log.blockNumber}'s header (number, hash, parentHash, timestamp) to ${blocksFile}: every block with logs needs one`,
      );
    }
    if (log.blockHash !== block.header.hash) {
      throw fail(
        'BLOCK_HASH_MISMATCH',
        at,
        `the log's blockHash ${log.blockHash} differs from the hash ${block.header.hash} of block ${log.blockNumber} (at ${where(sourceOf(block.header))})`,
        'the logs and the headers come from different branches of the chain (a reorg between the exports?): export both files again from the canonical chain',
      );
    }
    block.logs.push(log);
  }
  for (const block of blocks) {
    block.logs.sort((a, b) => a.logIndex - b.logIndex);
    for (let k = 1; k < block.logs.length; k++) {
      if (block.logs[k].logIndex === block.logs[k - 1].logIndex) {
        // Report the later line as the repeat when both came from files.
        const [a, b] = [block.logs[k - 1], block.logs[k]];
        const [first, second] = (sourceOf(a)?.line ?? 0) <= (sourceOf(b)?.line ?? 0) ? [a, b] : [b, a];
        throw duplicate(second, sourceOf(first));
      }
    }
  }
  return blocks;
}

/**
 * Reads recorded contract reads (eth_call, eth_getBalance, eth_getCode), one
 * JSON-RPC request with its `result` (or `error`, for a reverted eth_call) a line.
 */
export async function readRecordedCalls(path: string): Promise<RecordedCall[]> {
  const calls: RecordedCall[] = [];
  const hex = (v: unknown, s: Source, what: string): string => {
    if (typeof v !== 'string' || !HEX.test(v)) {
      throw fail('BAD_CALL_RECORD', s, `${what} must be a 0x hex string`, 'record the JSON-RPC request and its answer as sent');
    }
    return v.toLowerCase();
  };
  await eachLine(path, (text, line) => {
    const s = { file: path, line };
    const o = parseObject(text, s, 'recorded JSON-RPC call');
    const params = o.params;
    if (!Array.isArray(params) || params.length < 2) {
      throw fail('BAD_CALL_RECORD', s, '`params` must be the request\'s params array', 'e.g. [{"to": "0x…", "data": "0x…"}, "0x10"]');
    }
    const blockNumber = BigInt(hex(params[1], s, 'the block (params[1])'));
    if (blockNumber > MAX_BLOCK_NUMBER) throw fail('OUT_OF_RANGE', s, `the block (params[1]) is ${blockNumber}, above ${MAX_BLOCK_NUMBER}`, 'record calls at real block numbers');
    const reverted = o.result === undefined && o.error !== undefined;
    if (o.method === 'eth_call') {
      const req = params[0] as Record<string, unknown>;
      calls.push({
        method: 'eth_call',
        to: hex(req?.to, s, 'params[0].to'),
        data: hex(req?.data ?? req?.input, s, 'params[0].data'),
        blockNumber,
        result: reverted ? null : hex(o.result, s, 'result'),
      });
    } else if (o.method === 'eth_getBalance') {
      calls.push({ method: 'eth_getBalance', address: hex(params[0], s, 'params[0]'), blockNumber, result: BigInt(hex(o.result, s, 'result')) });
    } else if (o.method === 'eth_getCode') {
      calls.push({ method: 'eth_getCode', address: hex(params[0], s, 'params[0]'), blockNumber, result: hex(o.result, s, 'result') });
    } else {
      throw fail('BAD_CALL_RECORD', s, `unknown method ${JSON.stringify(o.method)}`, 'record eth_call, eth_getBalance or eth_getCode');
    }
  });
  return calls;
}
