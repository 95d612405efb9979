/**
 * ethereum.Value, Event, Block and Transaction in a mapping's memory, and the
 * ABI work behind ethereum.encode/decode/call, done with viem.
 * Layouts: graph-node runtime/wasm/src/asc_abi and chain/ethereum/src/runtime/abi.rs.
 */
import { decodeAbiParameters, encodeAbiParameters, parseAbiParameter, type AbiParameter } from 'viem';
import { AscHeap, TypeId, ptrOf } from './asc';
import type { TriggerLayout } from './api-version';
import { RuntimeError } from './errors';
import type { Log, Transaction, TransactionReceipt } from '../ingest/types';
import { bigIntToBytesLE } from './numbers';
import { bytesToHex, hexToBytes } from './values';

/** graph-ts ethereum.ValueKind. */
export const EthValueKind = {
  ADDRESS: 0,
  FIXED_BYTES: 1,
  BYTES: 2,
  INT: 3,
  UINT: 4,
  BOOL: 5,
  STRING: 6,
  FIXED_ARRAY: 7,
  ARRAY: 8,
  TUPLE: 9,
} as const;

/** A decoded ABI value with the kind graph-node gives it. */
export type EthValue =
  | { kind: 'address'; value: Uint8Array }
  | { kind: 'fixedBytes'; value: Uint8Array }
  | { kind: 'bytes'; value: Uint8Array }
  | { kind: 'int'; value: bigint; bits: number }
  | { kind: 'uint'; value: bigint; bits: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'fixedArray'; items: EthValue[] }
  | { kind: 'array'; items: EthValue[] }
  | { kind: 'tuple'; items: EthValue[] };

/** Solidity's canonical type of an ABI parameter, tuples expanded: `(uint256,address)[]`. */
export function canonicalType(param: AbiParameter): string {
  if (param.type.startsWith('tuple')) {
    const components = (param as { components: readonly AbiParameter[] }).components;
    return `(${components.map(canonicalType).join(',')})${param.type.slice('tuple'.length)}`;
  }
  return param.type;
}

/** An EthValue as the JS value viem encodes for `param` (for ethereum.call arguments). */
export function toViemValue(param: AbiParameter, value: EthValue): unknown {
  const arrayMatch = /^(.*)\[(\d*)\]$/.exec(param.type);
  if (arrayMatch) {
    if (value.kind !== 'array' && value.kind !== 'fixedArray') throw new RuntimeError(`expected an array for ${param.type}`);
    const inner = { ...param, type: arrayMatch[1] } as AbiParameter;
    return value.items.map((v) => toViemValue(inner, v));
  }
  if (param.type === 'tuple') {
    if (value.kind !== 'tuple') throw new RuntimeError('expected a tuple');
    const components = (param as { components: readonly AbiParameter[] }).components;
    return components.map((c, i) => toViemValue(c, value.items[i]));
  }
  switch (value.kind) {
    case 'address':
    case 'bytes':
    case 'fixedBytes':
      return bytesToHex(value.value);
    case 'int':
    case 'uint':
    case 'bool':
    case 'string':
      return value.value;
    default:
      throw new RuntimeError(`a ${value.kind} value cannot be passed as ${param.type}`);
  }
}

/** Turn a viem-decoded JS value into an EthValue, guided by its ABI parameter. */
export function fromViem(param: AbiParameter, value: unknown): EthValue {
  const type = param.type;
  const arrayMatch = /^(.*)\[(\d*)\]$/.exec(type);
  if (arrayMatch) {
    const inner = { ...param, type: arrayMatch[1] } as AbiParameter;
    const items = (value as unknown[]).map((v) => fromViem(inner, v));
    return arrayMatch[2] === '' ? { kind: 'array', items } : { kind: 'fixedArray', items };
  }
  if (type === 'tuple') {
    const components = (param as { components: readonly AbiParameter[] }).components;
    const items = components.map((c, i) => {
      const v = Array.isArray(value) ? value[i] : (value as Record<string, unknown>)[c.name ?? String(i)];
      return fromViem(c, v);
    });
    return { kind: 'tuple', items };
  }
  if (type === 'address') return { kind: 'address', value: hexToBytes(value as string) };
  if (type === 'bool') return { kind: 'bool', value: value as boolean };
  if (type === 'string') return { kind: 'string', value: value as string };
  if (type === 'bytes') return { kind: 'bytes', value: hexToBytes(value as string) };
  if (/^bytes\d+$/.test(type)) return { kind: 'fixedBytes', value: hexToBytes(value as string) };
  const intMatch = /^(u?)int(\d*)$/.exec(type);
  if (intMatch) {
    const bits = intMatch[2] === '' ? 256 : Number(intMatch[2]);
    return { kind: intMatch[1] ? 'uint' : 'int', value: BigInt(value as bigint | number), bits };
  }
  throw new RuntimeError(`unsupported ABI type ${type}`);
}

/** An EthValue back to a viem parameter and JS value, for encoding. */
export function toViem(value: EthValue): { param: AbiParameter; value: unknown } {
  switch (value.kind) {
    case 'address':
      return { param: { type: 'address' }, value: bytesToHex(value.value) };
    case 'fixedBytes':
      return { param: { type: `bytes${value.value.length}` }, value: bytesToHex(value.value) };
    case 'bytes':
      return { param: { type: 'bytes' }, value: bytesToHex(value.value) };
    case 'int':
      return { param: { type: `int${value.bits}` }, value: value.value };
    case 'uint':
      return { param: { type: `uint${value.bits}` }, value: value.value };
    case 'bool':
      return { param: { type: 'bool' }, value: value.value };
    case 'string':
      return { param: { type: 'string' }, value: value.value };
    case 'array':
    case 'fixedArray': {
      if (value.items.length === 0) {
        if (value.kind === 'fixedArray') throw new RuntimeError('cannot encode an empty fixed array');
        // graph-ts does not carry the element type of an empty array; any static type encodes the same.
        return { param: { type: 'uint256[]' }, value: [] };
      }
      const inner = value.items.map(toViem);
      const suffix = value.kind === 'array' ? '[]' : `[${value.items.length}]`;
      const first = inner[0].param;
      return {
        param: { ...first, type: `${first.type}${suffix}` } as AbiParameter,
        value: inner.map((i) => i.value),
      };
    }
    case 'tuple': {
      const inner = value.items.map(toViem);
      return {
        param: { type: 'tuple', components: inner.map((i, n) => ({ ...i.param, name: `v${n}` })) } as AbiParameter,
        value: Object.fromEntries(inner.map((i, n) => [`v${n}`, i.value])),
      };
    }
  }
}

export function abiEncode(value: EthValue): Uint8Array {
  const { param, value: v } = toViem(value);
  return hexToBytes(encodeAbiParameters([param], [v]));
}

/** ethereum.decode: a Solidity type string such as `(address,uint256)` and the bytes of abi.encode(value). */
export function abiDecode(types: string, data: Uint8Array): EthValue {
  const param = parseAbiParameter(types.startsWith('(') ? `${types} v` : types) as AbiParameter;
  const [decoded] = decodeAbiParameters([param], bytesToHex(data) as `0x${string}`);
  return fromViem(param, decoded);
}

export function writeEthValue(heap: AscHeap, value: EthValue): number {
  const t = TypeId.EthereumValue;
  switch (value.kind) {
    case 'address':
      return heap.writeEnum(EthValueKind.ADDRESS, heap.writeBytes(value.value), t);
    case 'fixedBytes':
      return heap.writeEnum(EthValueKind.FIXED_BYTES, heap.writeBytes(value.value), t);
    case 'bytes':
      return heap.writeEnum(EthValueKind.BYTES, heap.writeBytes(value.value), t);
    case 'int':
      return heap.writeEnum(EthValueKind.INT, heap.writeBigInt(value.value), t);
    case 'uint':
      return heap.writeEnum(EthValueKind.UINT, heap.writeBigInt(value.value), t);
    case 'bool':
      return heap.writeEnum(EthValueKind.BOOL, value.value ? 1 : 0, t);
    case 'string':
      return heap.writeEnum(EthValueKind.STRING, heap.writeString(value.value), t);
    case 'fixedArray':
    case 'array':
    case 'tuple': {
      const kind =
        value.kind === 'tuple' ? EthValueKind.TUPLE : value.kind === 'array' ? EthValueKind.ARRAY : EthValueKind.FIXED_ARRAY;
      const items = heap.writeU32Array(
        value.items.map((v) => writeEthValue(heap, v)),
        TypeId.ArrayEthereumValue,
      );
      return heap.writeEnum(kind, items, t);
    }
  }
}

/**
 * Reads an ethereum.Value a mapping built. Integer widths are not carried by
 * graph-ts values; graph-node encodes INT/UINT as 256-bit, and so do we.
 */
export function readEthValue(heap: AscHeap, ptr: number): EthValue {
  const { kind, payload } = heap.readEnum(ptr);
  const p = ptrOf(payload);
  switch (kind) {
    case EthValueKind.ADDRESS: {
      const bytes = heap.readBytes(p);
      if (bytes.length !== 20) throw new RuntimeError(`an ethereum address must be 20 bytes, got ${bytes.length}`);
      return { kind: 'address', value: bytes };
    }
    case EthValueKind.FIXED_BYTES:
      return { kind: 'fixedBytes', value: heap.readBytes(p) };
    case EthValueKind.BYTES:
      return { kind: 'bytes', value: heap.readBytes(p) };
    case EthValueKind.INT: {
      // graph-node converts with BigInt::to_i256 (graph/src/data/store/scalar/bigint.rs).
      const v = heap.readBigInt(p);
      if (v < -(2n ** 255n) || v >= 2n ** 255n) throw new RuntimeError(`BigInt value \`${v}\` does not fit into int256`);
      return { kind: 'int', value: v, bits: 256 };
    }
    case EthValueKind.UINT: {
      // ... and BigInt::to_unsigned_u256.
      const v = heap.readBigInt(p);
      if (v < 0n) throw new RuntimeError(`BigInt value is negative, cannot convert to unsigned U256: ${v}`);
      if (v >= 2n ** 256n) throw new RuntimeError(`BigInt value \`${v}\` does not fit into uint256`);
      return { kind: 'uint', value: v, bits: 256 };
    }
    case EthValueKind.BOOL:
      return { kind: 'bool', value: payload !== 0n };
    case EthValueKind.STRING:
      return { kind: 'string', value: heap.readString(p) };
    case EthValueKind.FIXED_ARRAY:
    case EthValueKind.ARRAY:
    case EthValueKind.TUPLE: {
      const items = heap.readU32Array(p).map((q) => readEthValue(heap, q));
      return {
        kind: kind === EthValueKind.TUPLE ? 'tuple' : kind === EthValueKind.ARRAY ? 'array' : 'fixedArray',
        items,
      };
    }
    default:
      throw new RuntimeError(`unknown ethereum value kind ${kind}`);
  }
}

// ---- trigger objects ----------------------------------------------------------

export interface EthBlock {
  hash: string;
  parentHash: string;
  number: bigint;
  timestamp: bigint;
  unclesHash?: string;
  author?: string;
  stateRoot?: string;
  transactionsRoot?: string;
  receiptsRoot?: string;
  gasUsed?: bigint;
  gasLimit?: bigint;
  difficulty?: bigint;
  totalDifficulty?: bigint;
  size?: bigint;
  baseFeePerGas?: bigint;
}

/** A transaction as ingest hands it over (only hash and index from NDJSON files). */
export type EthTransaction = Transaction;

/** A log as ingest hands it over (lowercase hex, numeric indexes). */
export type EthLog = Log;

/** A receipt as an RPC ingest hands it over. */
export type EthReceipt = TransactionReceipt;

const ZERO_HASH = '0x' + '00'.repeat(32);
const ZERO_ADDRESS = '0x' + '00'.repeat(20);

/**
 * A block's fields in wire form (hashes as bytes, numbers as graph-node's
 * BigInt bytes, null where optional and absent), converted once per block
 * rather than once per trigger.
 */
const blockWire = new WeakMap<EthBlock, Array<Uint8Array | null>>();

function blockFields(block: EthBlock): Array<Uint8Array | null> {
  let fields = blockWire.get(block);
  if (!fields) {
    const hash = (v: string | undefined, fallback: string) => hexToBytes(v ?? fallback);
    const num = (v: bigint | undefined) => bigIntToBytesLE(v ?? 0n);
    const opt = (v: bigint | undefined) => (v === undefined ? null : bigIntToBytesLE(v));
    fields = [
      hash(block.hash, ZERO_HASH),
      hash(block.parentHash, ZERO_HASH),
      hash(block.unclesHash, ZERO_HASH),
      hash(block.author, ZERO_ADDRESS),
      hash(block.stateRoot, ZERO_HASH),
      hash(block.transactionsRoot, ZERO_HASH),
      hash(block.receiptsRoot, ZERO_HASH),
      num(block.number),
      num(block.gasUsed),
      num(block.gasLimit),
      num(block.timestamp),
      num(block.difficulty),
      num(block.totalDifficulty),
      opt(block.size),
      opt(block.baseFeePerGas),
    ];
    blockWire.set(block, fields);
  }
  return fields;
}

/** ethereum.Block: 14 pointers, 15 from apiVersion 0.0.6; BigInt fields are Uint8Arrays like the hashes. */
export function writeBlock(heap: AscHeap, block: EthBlock, layout: TriggerLayout): number {
  const fields = blockFields(block);
  return heap.writeStruct(
    (layout.blockBaseFeePerGas ? fields : fields.slice(0, 14)).map((b) => (b === null ? 0 : heap.writeBytes(b))),
    TypeId.EthereumBlock,
  );
}

const ZERO_ADDRESS_BYTES = hexToBytes(ZERO_ADDRESS);
const EMPTY_BYTES = new Uint8Array(0);
const ZERO_BIGINT_BYTES = bigIntToBytesLE(0n);

/** ethereum.Transaction: 8 pointers, 9 (the nonce) from apiVersion 0.0.6. */
export function writeTransaction(heap: AscHeap, tx: EthTransaction, layout: TriggerLayout): number {
  const num = (v: bigint | undefined) => heap.writeBytes(v === undefined || v === 0n ? ZERO_BIGINT_BYTES : bigIntToBytesLE(v));
  const fields = [
    heap.writeBytes(hexToBytes(tx.hash)),
    heap.writeBigInt(tx.index),
    heap.writeBytes(tx.from ? hexToBytes(tx.from) : ZERO_ADDRESS_BYTES),
    tx.to ? heap.writeBytes(hexToBytes(tx.to)) : 0,
    num(tx.value),
    num(tx.gasLimit),
    num(tx.gasPrice),
    heap.writeBytes(tx.input ? hexToBytes(tx.input) : EMPTY_BYTES),
  ];
  if (layout.transactionNonce) fields.push(num(tx.nonce));
  return heap.writeStruct(fields, TypeId.EthereumTransaction);
}

function writeLog(heap: AscHeap, log: EthLog): number {
  const removed = heap.writeStruct([log.removed ? 1 : 0], TypeId.WrappedBool);
  return heap.writeStruct(
    [
      heap.writeBytes(hexToBytes(log.address)),
      heap.writeU32Array(
        log.topics.map((t) => heap.writeBytes(hexToBytes(t))),
        TypeId.ArrayH256,
      ),
      heap.writeBytes(hexToBytes(log.data)),
      heap.writeBytes(hexToBytes(log.blockHash)),
      // graph-ts declares Log.blockNumber as Bytes; graph-node writes the number's big-endian bytes.
      heap.writeBytes(hexToBytes('0x' + log.blockNumber.toString(16).padStart(16, '0'))),
      heap.writeBytes(hexToBytes(log.transactionHash)),
      heap.writeBigInt(BigInt(log.transactionIndex)),
      heap.writeBigInt(BigInt(log.logIndex)),
      heap.writeBigInt(BigInt(log.logIndex)),
      heap.writeString(''),
      removed,
    ],
    TypeId.Log,
  );
}

export function writeReceipt(heap: AscHeap, receipt: EthReceipt): number {
  return heap.writeStruct(
    [
      heap.writeBytes(hexToBytes(receipt.transactionHash)),
      heap.writeBigInt(receipt.transactionIndex),
      heap.writeBytes(hexToBytes(receipt.blockHash)),
      heap.writeBigInt(receipt.blockNumber),
      heap.writeBigInt(receipt.cumulativeGasUsed),
      heap.writeBigInt(receipt.gasUsed),
      heap.writeBytes(hexToBytes(receipt.contractAddress ?? ZERO_ADDRESS)),
      heap.writeU32Array(
        receipt.logs.map((l) => writeLog(heap, l)),
        TypeId.ArrayLog,
      ),
      heap.writeBigInt(receipt.status),
      heap.writeBytes(hexToBytes(receipt.root ?? '0x')),
      heap.writeBytes(hexToBytes(receipt.logsBloom)),
    ],
    TypeId.TransactionReceipt,
  );
}

export interface EventParam {
  name: string;
  value: EthValue;
}

/** ethereum.Event: seven pointers, and the receipt as an eighth from apiVersion 0.0.7. */
export function writeEvent(
  heap: AscHeap,
  log: EthLog,
  params: EventParam[],
  block: EthBlock,
  tx: EthTransaction,
  receipt: EthReceipt | null,
  layout: TriggerLayout,
): number {
  const paramPtrs = params.map((p) =>
    heap.writeStruct([heap.writeString(p.name), writeEthValue(heap, p.value)], TypeId.EventParam),
  );
  const fields = [
    heap.writeBytes(hexToBytes(log.address)),
    heap.writeBigInt(BigInt(log.logIndex)),
    // graph-node passes the block-level log index here too (chain/ethereum/src/trigger.rs).
    heap.writeBigInt(BigInt(log.logIndex)),
    0, // logType: always null with graph-node's current RPC client
    writeBlock(heap, block, layout),
    writeTransaction(heap, tx, layout),
    heap.writeU32Array(paramPtrs, TypeId.ArrayEventParam),
  ];
  if (layout.eventReceipt) fields.push(receipt ? writeReceipt(heap, receipt) : 0);
  return heap.writeStruct(fields, TypeId.EthereumEvent);
}

/** Indexed arrays, tuples, strings and bytes sit in a topic as their keccak hash. */
function isHashedInTopic(param: AbiParameter): boolean {
  return param.type === 'string' || param.type === 'bytes' || param.type.endsWith(']') || param.type.startsWith('tuple');
}

/** Whether `text` holds only '0' from `from` to `to`. */
function zeroDigits(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (text.charCodeAt(i) !== 48) return false;
  return true;
}

/** Whether the character at `i` is a hex digit (BigInt() would let a trailing space through). */
function hexDigitAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i) | 0x20;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102);
}

/**
 * A reader of one static parameter's 32-byte word (address, bool, uintN,
 * intN, bytesN) from hex text, the word's 64 digits starting at `at`. It
 * returns null when the word is not in canonical form (non-zero padding, a
 * value out of range), so that the caller falls back to the general decoder
 * and its checks; invalid hex throws. Null when the type is not static.
 */
function staticWordReader(type: string): ((hex: string, at: number) => EthValue | null) | null {
  let m: RegExpExecArray | null;
  if (type === 'address') {
    return (hex, at) => (zeroDigits(hex, at, at + 24) ? { kind: 'address', value: hexToBytes(hex.slice(at + 24, at + 64)) } : null);
  }
  if (type === 'bool') {
    return (hex, at) => {
      const last = hex.charCodeAt(at + 63);
      return zeroDigits(hex, at, at + 63) && (last === 48 || last === 49) ? { kind: 'bool', value: last === 49 } : null;
    };
  }
  if ((m = /^(u?)int(\d*)$/.exec(type))) {
    const bits = m[2] === '' ? 256 : Number(m[2]);
    const signed = m[1] === '';
    return (hex, at) => {
      if (!hexDigitAt(hex, at + 63)) throw new RuntimeError('not a hex word');
      const raw = BigInt('0x' + hex.slice(at, at + 64));
      const value = signed ? BigInt.asIntN(256, raw) : raw;
      if (signed ? BigInt.asIntN(bits, value) !== value : BigInt.asUintN(bits, value) !== value) return null;
      return { kind: signed ? 'int' : 'uint', value, bits };
    };
  }
  if ((m = /^bytes(\d+)$/.exec(type))) {
    const digits = 2 * Number(m[1]);
    return (hex, at) => (zeroDigits(hex, at + digits, at + 64) ? { kind: 'fixedBytes', value: hexToBytes(hex.slice(at, at + digits)) } : null);
  }
  return null;
}

/**
 * Decodes the words of static parameters straight from the data's hex text,
 * or returns null (a word not in canonical form, bad hex) so that the caller
 * falls back to the general decoder and its checks. Events made only of such
 * parameters are the common case, and the general decoder spends most of its
 * time checksumming addresses.
 */
function staticWordDecoder(params: readonly AbiParameter[]): ((data: string) => EthValue[] | null) | null {
  const readers: Array<(hex: string, at: number) => EthValue | null> = [];
  for (const p of params) {
    const reader = staticWordReader(p.type);
    if (!reader) return null;
    readers.push(reader);
  }
  return (data) => {
    if (data.length < 2 + readers.length * 64 || !data.startsWith('0x')) return null;
    const out: EthValue[] = [];
    try {
      for (let i = 0; i < readers.length; i++) {
        const v = readers[i](data, 2 + i * 64);
        if (!v) return null;
        out.push(v);
      }
    } catch {
      return null;
    }
    return out;
  };
}

/**
 * Builds a decoder for one ABI event: indexed parameters from topics 1..3,
 * the others from data, in declaration order, named as in the ABI. It
 * returns null when the log does not fit the event (wrong number of topics,
 * data too short), which is how graph-node tells overloaded events apart.
 */
export function eventDecoder(event: {
  inputs: readonly (AbiParameter & { indexed?: boolean })[];
}): (topics: readonly string[], data: string) => EventParam[] | null {
  const inputs = event.inputs;
  const indexedCount = inputs.filter((i) => i.indexed).length;
  const dataParams = inputs.filter((i) => !i.indexed);
  const fast = staticWordDecoder(dataParams);
  const topicReaders = inputs.map((i) => (i.indexed && !isHashedInTopic(i) ? staticWordReader(i.type) : null));
  const general = (data: string): EthValue[] | null => {
    try {
      const decoded = dataParams.length ? decodeAbiParameters(dataParams, data as `0x${string}`) : [];
      return dataParams.map((p, i) => fromViem(p, decoded[i]));
    } catch {
      return null;
    }
  };
  return (topics, data) => {
    if (topics.length !== indexedCount + 1) return null;
    const values = (fast && fast(data)) ?? general(data);
    if (!values) return null;
    const params: EventParam[] = [];
    let topic = 1;
    let next = 0;
    for (let n = 0; n < inputs.length; n++) {
      const input = inputs[n];
      let value: EthValue;
      if (input.indexed) {
        const raw = topics[topic++];
        if (isHashedInTopic(input)) value = { kind: 'fixedBytes', value: hexToBytes(raw) };
        else {
          // A canonical word is read directly; anything else goes to viem, as all topics did before.
          const reader = topicReaders[n];
          let read: EthValue | null = null;
          if (reader && raw.length === 66 && raw.startsWith('0x')) {
            try {
              read = reader(raw, 2);
            } catch {
              read = null;
            }
          }
          try {
            value = read ?? fromViem(input, decodeAbiParameters([input], raw as `0x${string}`)[0]);
          } catch {
            return null;
          }
        }
      } else value = values[next++];
      params.push({ name: input.name ?? '', value });
    }
    return params;
  };
}
