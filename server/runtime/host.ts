/**
 * The host functions graph-node links into a mapping, by import name
 * (graph-node runtime/wasm/src/module/instance.rs). Each reads its arguments
 * from the mapping's memory, does what graph-node's host_exports.rs does, and
 * writes the result back.
 */
import { base58 } from './base58';
import { decodeAbiParameters, encodeFunctionData, keccak256, type AbiFunction } from 'viem';
import { AscHeap, TypeId } from './asc';
import { NonDeterministicError, RuntimeError } from './errors';
import { apiVersionAtLeast } from './api-version';
import { abiDecode, abiEncode, canonicalType, fromViem, readEthValue, toViemValue, writeEthValue, type EthBlock, type EthValue } from './ethereum';
import { jsonToBigInt, jsonToF64, jsonToI64, jsonToU64, parseJsonBytes, type JsonValue } from './json';
import * as N from './numbers';
import { bytesToHex, hexToBytes, type EntityData } from './values';

export type GetScope = 'store' | 'block';

/**
 * What the host's store functions need; the store's per-block entity cache
 * implements it. Maps are handed over, not copied: `set` keeps the map it is
 * given (the caller does not use it again), and what `get` and `loadRelated`
 * return is read, not changed, and only until the next call.
 */
export interface EntityAccess {
  get(entityType: string, id: string, scope: GetScope): EntityData | null;
  set(entityType: string, id: string, data: EntityData): void;
  remove(entityType: string, id: string): void;
  loadRelated(entityType: string, id: string, field: string): EntityData[];
}

export interface ContractCall {
  contractName: string;
  address: string;
  functionName: string;
  functionSignature: string;
  params: EthValue[];
  /** The encoded calldata (selector and arguments). */
  calldata: string;
  blockNumber: bigint;
  blockHash: string;
}

/**
 * Answers ethereum.call, getBalance and hasCode. Imports are synchronous, so a
 * source answers from results it already has (recorded, or fetched before the
 * handler ran). `call` returns the return data, or null when the call reverted.
 * When it has no answer it throws NonDeterministicError: that is the
 * environment's fault, not the mapping's.
 */
export interface CallSource {
  call(call: ContractCall): string | null;
  getBalance(address: string, blockNumber: bigint): bigint;
  hasCode(address: string, blockNumber: bigint): boolean;
}

export const noCallSource: CallSource = {
  call(call) {
    throw new NonDeterministicError(
      `ethereum.call ${call.contractName}.${call.functionSignature} at ${call.address} (block ${call.blockNumber}) ` +
        'has no result: index with --rpc, or provide recorded call results',
    );
  },
  getBalance(address, blockNumber) {
    throw new NonDeterministicError(`ethereum.getBalance(${address}) at block ${blockNumber} has no recorded result`);
  },
  hasCode(address, blockNumber) {
    throw new NonDeterministicError(`ethereum.hasCode(${address}) at block ${blockNumber} has no recorded result`);
  },
};

export type LogLevel = 'critical' | 'error' | 'warning' | 'info' | 'debug';
const LOG_LEVELS: LogLevel[] = ['critical', 'error', 'warning', 'info', 'debug'];

export interface DataSourceInfo {
  name: string;
  /** The data source's ABIs by name, for ethereum.call. */
  abis: Map<string, unknown[]>;
  address: string | null;
  network: string;
  context: EntityData | null;
  templates: string[];
}

/** Everything a trigger's host calls can see; replaced before each trigger. */
export interface HostContext {
  entities: EntityAccess;
  block: EthBlock;
  dataSource: DataSourceInfo;
  calls: CallSource;
  /** The deployment's mapping apiVersion: host functions added in later versions fail as they do on graph-node. */
  apiVersion: string;
  createDataSource(template: string, params: string[], context: EntityData | null): void;
  log(level: LogLevel, message: string): void;
}

type HostFn = (...args: number[]) => number | bigint | void;

/** graph-node's deterministic failure for a host function the mapping's apiVersion predates. */
function requireApiVersion(c: HostContext, min: string, name: string): void {
  if (!apiVersionAtLeast(c.apiVersion, min)) throw new RuntimeError(`${name} call is not supported before API version ${min}`);
}

export function hostFunctions(heap: () => AscHeap, ctx: () => HostContext): Record<string, HostFn> {
  const h = heap;
  const str = (p: number) => h().readString(p);
  const big = (p: number) => h().readBigInt(p);
  const dec = (p: number) => h().readBigDecimal(p);
  const wBig = (v: bigint) => h().writeBigInt(v);
  const wDec = (v: N.BigDecimalValue) => h().writeBigDecimal(v);

  const unsupported = (name: string, message: string, deterministic: boolean): HostFn => () => {
    throw deterministic ? new RuntimeError(message) : new NonDeterministicError(`${name}: ${message}`);
  };

  return {
    abort(msg, file, line, col) {
      const message = msg ? `message: ${str(msg)}` : 'no message';
      let location = 'an unknown location';
      if (file) {
        location = str(file);
        if (line) location += `, line ${line}`;
        if (line && col) location += `, column ${col}`;
      }
      throw new RuntimeError(`Mapping aborted at ${location}, with ${message}`);
    },

    // ---- store ----
    'store.get': (type, id) => {
      const e = ctx().entities.get(str(type), str(id), 'store');
      return e ? h().writeEntity(e) : 0;
    },
    'store.get_in_block': (type, id) => {
      const e = ctx().entities.get(str(type), str(id), 'block');
      return e ? h().writeEntity(e) : 0;
    },
    'store.loadRelated': (type, id, field) => {
      const list = ctx().entities.loadRelated(str(type), str(id), str(field));
      return h().writeU32Array(
        list.map((e) => h().writeEntity(e)),
        TypeId.ArrayTypedMapStringStoreValue,
      );
    },
    'store.set': (type, id, data) => {
      ctx().entities.set(str(type), str(id), h().readEntity(data));
    },
    'store.remove': (type, id) => {
      ctx().entities.remove(str(type), str(id));
    },

    // ---- log ----
    'log.log': (level, msg) => {
      const message = str(msg);
      const name = LOG_LEVELS[level] ?? 'debug';
      ctx().log(name, message);
      if (name === 'critical') {
        throw new RuntimeError(`Critical error logged in mapping with log message: ${message}`);
      }
    },

    // ---- crypto ----
    'crypto.keccak256': (p) => h().writeBytes(hexToBytes(keccak256(h().readBytes(p)))),

    // ---- typeConversion ----
    'typeConversion.bytesToString': (p) => {
      const text = Buffer.from(h().readBytes(p)).toString('utf8'); // lossy, as String::from_utf8_lossy
      return h().writeString(text.replace(/\u0000+$/, ''));
    },
    'typeConversion.bytesToHex': (p) => h().writeString(h().readHex(p)),
    'typeConversion.bigIntToString': (p) => h().writeString(N.bigIntToString(big(p))),
    'typeConversion.bigIntToHex': (p) => h().writeString(N.bigIntToHex(big(p))),
    'typeConversion.stringToH160': (p) => {
      const s = str(p);
      const body = s.startsWith('0x') ? s.slice(2) : s;
      if (!/^[0-9a-fA-F]{40}$/.test(body)) {
        throw new RuntimeError(`Failed to convert string to Address: '${s}'`);
      }
      return h().writeBytes(hexToBytes(body));
    },
    'typeConversion.bytesToBase58': (p) => h().writeString(base58(h().readBytes(p))),

    // ---- bigInt ----
    'bigInt.plus': (a, b) => wBig(N.bigIntPlus(big(a), big(b))),
    'bigInt.minus': (a, b) => wBig(N.bigIntMinus(big(a), big(b))),
    'bigInt.times': (a, b) => wBig(N.bigIntTimes(big(a), big(b))),
    'bigInt.dividedBy': (a, b) => wBig(N.bigIntDividedBy(big(a), big(b))),
    'bigInt.dividedByDecimal': (a, b) => wDec(N.bigIntDividedByDecimal(big(a), dec(b))),
    'bigInt.mod': (a, b) => wBig(N.bigIntMod(big(a), big(b))),
    'bigInt.pow': (a, e) => wBig(N.bigIntPow(big(a), e >>> 0)),
    'bigInt.fromString': (p) => wBig(N.bigIntFromString(str(p))),
    'bigInt.bitOr': (a, b) => wBig(N.bigIntBitOr(big(a), big(b))),
    'bigInt.bitAnd': (a, b) => wBig(N.bigIntBitAnd(big(a), big(b))),
    'bigInt.leftShift': (a, bits) => wBig(N.bigIntLeftShift(big(a), bits >>> 0)),
    'bigInt.rightShift': (a, bits) => wBig(N.bigIntRightShift(big(a), bits >>> 0)),

    // ---- bigDecimal ----
    'bigDecimal.plus': (a, b) => wDec(N.decimalPlus(dec(a), dec(b))),
    'bigDecimal.minus': (a, b) => wDec(N.decimalMinus(dec(a), dec(b))),
    'bigDecimal.times': (a, b) => wDec(N.decimalTimes(dec(a), dec(b))),
    'bigDecimal.dividedBy': (a, b) => wDec(N.decimalDividedBy(dec(a), dec(b))),
    'bigDecimal.equals': (a, b) => (N.decimalEquals(dec(a), dec(b)) ? 1 : 0),
    'bigDecimal.toString': (p) => h().writeString(N.decimalToString(dec(p))),
    'bigDecimal.fromString': (p) => wDec(N.decimalFromString(str(p))),

    // ---- dataSource ----
    'dataSource.create': (name, params) => {
      createDataSource(ctx(), str(name), h().readStringArray(params), null);
    },
    'dataSource.createWithContext': (name, params, context) => {
      createDataSource(ctx(), str(name), h().readStringArray(params), h().readEntity(context));
    },
    'dataSource.address': () => {
      const address = ctx().dataSource.address;
      return h().writeBytes(address ? hexToBytes(address) : new Uint8Array(0));
    },
    'dataSource.network': () => h().writeString(ctx().dataSource.network),
    'dataSource.context': () => h().writeEntity(ctx().dataSource.context ?? new Map()),

    // ---- json ----
    'json.fromBytes': (p) => {
      const bytes = h().readBytes(p);
      let value: JsonValue;
      try {
        value = parseJsonBytes(bytes);
      } catch (e) {
        const shown = Array.from(bytes.subarray(0, 1024)).join(', ');
        throw new RuntimeError(`Failed to parse JSON from byte array. Bytes (truncated to 1024 chars): \`[${shown}]\`: ${(e as Error).message}`);
      }
      return writeJson(h(), value);
    },
    'json.try_fromBytes': (p) => {
      let value: JsonValue | null = null;
      try {
        value = parseJsonBytes(h().readBytes(p));
      } catch {
        value = null;
      }
      // Result<JSONValue, boolean> is {value: Wrapped<JSONValue> | null, error: Wrapped<bool> | null}.
      if (value) {
        const wrapped = h().writeStruct([writeJson(h(), value)], TypeId.WrappedJsonValue);
        return h().writeStruct([wrapped, 0], TypeId.ResultJsonValueBool);
      }
      const error = h().writeStruct([1], TypeId.WrappedBool);
      return h().writeStruct([0, error], TypeId.ResultJsonValueBool);
    },
    'json.toI64': (p) => jsonToI64(str(p)),
    'json.toU64': (p) => jsonToU64(str(p)),
    'json.toF64': (p) => jsonToF64(str(p)),
    'json.toBigInt': (p) => wBig(jsonToBigInt(str(p))),

    // ---- ethereum ----
    'ethereum.encode': (p) => {
      // Reading the value can fail (a negative uint, an int over 256 bits): that fails the handler.
      const value = readEthValue(h(), p);
      try {
        return h().writeBytes(abiEncode(value));
      } catch {
        return 0; // graph-node returns null when encoding itself fails
      }
    },
    'ethereum.decode': (types, data) => {
      let value: EthValue;
      try {
        value = abiDecode(str(types), h().readBytes(data));
      } catch {
        return 0; // graph-node returns null when decoding fails
      }
      return writeEthValue(h(), value);
    },
    'ethereum.call': (p) => ethereumCall(h(), ctx(), p),
    'ethereum.getBalance': (p) => {
      const c = ctx();
      requireApiVersion(c, '0.0.9', 'ethereum.getBalance');
      return wBig(c.calls.getBalance(bytesToHex(h().readBytes(p)), c.block.number));
    },
    'ethereum.hasCode': (p) => {
      const c = ctx();
      requireApiVersion(c, '0.0.9', 'ethereum.hasCode');
      const has = c.calls.hasCode(bytesToHex(h().readBytes(p)), c.block.number);
      return h().writeStruct([has ? 1 : 0], TypeId.WrappedBool);
    },

    // ---- services svr does not provide ----
    'ipfs.cat': unsupported('ipfs.cat', '`ipfs.cat` is deprecated. Improved support for IPFS will be added in the future', true),
    'ipfs.map': unsupported('ipfs.map', '`ipfs.map` is deprecated. Improved support for IPFS will be added in the future', true),
    'ipfs.getBlock': unsupported('ipfs.getBlock', '`ipfs.getBlock` is deprecated. Improved support for IPFS will be added in the future', true),
    'ens.nameByHash': unsupported('ens.nameByHash', 'svr has no ENS name data; mappings that resolve ENS names need graph-node with its ENS rainbow table', false),
    'arweave.transactionData': unsupported('arweave.transactionData', '`arweave.transactionData` has been removed.', true),
    'box.profile': unsupported('box.profile', '`box.profile` has been removed.', true),
    'yaml.fromBytes': unsupported('yaml.fromBytes', 'svr does not implement the yaml host functions yet', false),
    'yaml.try_fromBytes': unsupported('yaml.try_fromBytes', 'svr does not implement the yaml host functions yet', false),
  };
}

function createDataSource(ctx: HostContext, name: string, params: string[], context: EntityData | null): void {
  if (!ctx.dataSource.templates.includes(name)) {
    throw new RuntimeError(
      `Failed to create data source from name \`${name}\`: No template with this name in parent data source \`${ctx.dataSource.name}\`. ` +
        `Available names: ${ctx.dataSource.templates.join(', ')}.`,
    );
  }
  ctx.createDataSource(name, params, context);
}

/** SmartContractCall {contractName, contractAddress, functionName, functionSignature, functionParams}. */
function ethereumCall(heap: AscHeap, ctx: HostContext, ptr: number): number {
  const contractName = heap.readString(heap.u32(ptr));
  const address = bytesToHex(heap.readBytes(heap.u32(ptr + 4)));
  const functionName = heap.readString(heap.u32(ptr + 8));
  const functionSignature = heap.readString(heap.u32(ptr + 12));
  const params = heap.readU32Array(heap.u32(ptr + 16)).map((p) => readEthValue(heap, p));
  const fn = findFunction(ctx.dataSource.abis, contractName, functionName, functionSignature);
  let calldata: string;
  try {
    calldata = encodeFunctionData({ abi: [fn], functionName: fn.name, args: params.map((v, i) => toViemValue(fn.inputs[i], v)) });
  } catch (e) {
    throw new RuntimeError(`ethereum.call ${contractName}.${functionSignature}: the arguments do not fit the function: ${(e as Error).message}`);
  }
  const result = ctx.calls.call({
    contractName,
    address,
    functionName,
    functionSignature,
    params,
    calldata,
    blockNumber: ctx.block.number,
    blockHash: ctx.block.hash,
  });
  if (result === null) return 0; // reverted: graph-ts turns this into a try_ result or an abort
  let decoded: readonly unknown[];
  try {
    decoded = decodeAbiParameters(fn.outputs, result as `0x${string}`);
  } catch (e) {
    throw new RuntimeError(`ethereum.call ${contractName}.${functionSignature}: cannot decode the result ${result}: ${(e as Error).message}`);
  }
  return heap.writeU32Array(
    fn.outputs.map((param, i) => writeEthValue(heap, fromViem(param, decoded[i]))),
    TypeId.ArrayEthereumValue,
  );
}

/** graph-node's lookup (graph/src/data_source/common.rs MappingABI::function): by name, then by `name(inputs):(outputs)`. */
function findFunction(abis: Map<string, unknown[]>, contractName: string, name: string, signature: string): AbiFunction {
  const abi = abis.get(contractName);
  if (!abi) {
    throw new RuntimeError(`Could not find ABI for contract "${contractName}", try adding it to the 'abis' section of the subgraph manifest`);
  }
  const candidates = abi.filter((item): item is AbiFunction => (item as AbiFunction).type === 'function' && (item as AbiFunction).name === name);
  if (candidates.length === 0) throw new RuntimeError(`Unknown function "${contractName}::${name}" called from WASM runtime`);
  const fn = candidates.find(
    (f) => `${f.name}(${f.inputs.map(canonicalType).join(',')}):(${f.outputs.map(canonicalType).join(',')})` === signature,
  );
  if (!fn) {
    throw new RuntimeError(`Unknown function "${contractName}::${name}" with signature \`${signature}\` called from WASM runtime`);
  }
  return fn;
}

/** graph-ts JSONValue {kind, data}: NULL 0, BOOL 1, NUMBER 2 (its text), STRING 3, ARRAY 4, OBJECT 5. */
function writeJson(heap: AscHeap, value: JsonValue): number {
  const t = TypeId.JsonValue;
  switch (value.kind) {
    case 'null':
      return heap.writeEnum(0, 0, t);
    case 'bool':
      return heap.writeEnum(1, value.value ? 1 : 0, t);
    case 'number':
      return heap.writeEnum(2, heap.writeString(value.text), t);
    case 'string':
      return heap.writeEnum(3, heap.writeString(value.value), t);
    case 'array':
      return heap.writeEnum(
        4,
        heap.writeU32Array(value.items.map((v) => writeJson(heap, v)), TypeId.ArrayJsonValue),
        t,
      );
    case 'object': {
      const entries = value.entries.map(([k, v]) =>
        heap.writeStruct([heap.writeString(k), writeJson(heap, v)], TypeId.TypedMapEntryStringJsonValue),
      );
      const map = heap.writeStruct(
        [heap.writeU32Array(entries, TypeId.ArrayTypedMapEntryStringJsonValue)],
        TypeId.TypedMapStringJsonValue,
      );
      return heap.writeEnum(5, map, t);
    }
  }
}
