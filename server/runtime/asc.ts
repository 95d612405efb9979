/**
 * Reading and writing AssemblyScript objects in a mapping's linear memory,
 * in the layout graph-node uses for apiVersion >= 0.0.5 with the stub runtime
 * (graph-node runtime/wasm/src/asc_abi/). Objects are allocated through the
 * module's exported `__new`, so the header (rtId, rtSize) is the module's own.
 */
import { BIGINT_MAX_BITS, bigIntFromBytesLE, bigIntToBytesLE, decimalFromWasm, type BigDecimalValue } from './numbers';
import type { Value } from './values';
import { RuntimeError } from './errors';

/** graph-ts `TypeId` names we allocate; the numeric class ids are asked of the module (`id_of_type`). */
export const TypeId = {
  String: 0,
  ArrayBuffer: 1,
  Uint8Array: 6,
  BigDecimal: 12,
  ArrayUint8Array: 14,
  ArrayEthereumValue: 15,
  ArrayStoreValue: 16,
  ArrayJsonValue: 17,
  ArrayString: 18,
  ArrayEventParam: 19,
  ArrayTypedMapEntryStringJsonValue: 20,
  ArrayTypedMapEntryStringStoreValue: 21,
  SmartContractCall: 22,
  EventParam: 23,
  EthereumTransaction: 24,
  EthereumBlock: 25,
  WrappedTypedMapStringJsonValue: 27,
  WrappedBool: 28,
  WrappedJsonValue: 29,
  EthereumValue: 30,
  StoreValue: 31,
  JsonValue: 32,
  EthereumEvent: 33,
  TypedMapEntryStringStoreValue: 34,
  TypedMapEntryStringJsonValue: 35,
  TypedMapStringStoreValue: 36,
  TypedMapStringJsonValue: 37,
  ResultTypedMapStringJsonValueBool: 39,
  ResultJsonValueBool: 40,
  ArrayTypedMapStringStoreValue: 101,
  TransactionReceipt: 1000,
  Log: 1001,
  ArrayH256: 1002,
  ArrayLog: 1003,
} as const;

/** graph-ts `ValueKind` for store values (common/value.ts). */
export const StoreValueKind = {
  String: 0,
  Int: 1,
  BigDecimal: 2,
  Bool: 3,
  Array: 4,
  Null: 5,
  Bytes: 6,
  BigInt: 7,
  Int8: 8,
  Timestamp: 9,
} as const;

export interface AscExports {
  memory: WebAssembly.Memory;
  __new(size: number, classId: number): number;
  id_of_type(typeId: number): number;
}

const utf16 = new TextDecoder('utf-16le', { fatal: true });

/**
 * AssemblyScript 0.19's stub runtime (std/assembly/rt/stub.ts, common.ts): a
 * block is a 4-byte mmInfo then the payload, aligned to 16; an object's
 * header (gcInfo, gcInfo2, rtId, rtSize) takes 16 bytes of the payload.
 */
const BLOCK_OVERHEAD = 4;
const OBJECT_OVERHEAD = 16;
const AL_MASK = 15;
const OBJECT_MAXSIZE = (1 << 30) - BLOCK_OVERHEAD - OBJECT_OVERHEAD;

export class AscHeap {
  private view: DataView;
  private bytes: Uint8Array;
  private units: Uint16Array;
  /** The memory as a Buffer, for its hex encoder. */
  private buffer: Buffer;
  private readonly classIds = new Map<number, number>();
  /** The stub allocator's bump pointer, once `useStubAllocator` found that the module allocates as stub.ts does. */
  private offsetGlobal: WebAssembly.Global | null = null;
  /** While the host runs (between `enter` and `leave`), the bump pointer as JS keeps it; -1 otherwise. */
  private cursor = -1;

  constructor(private readonly exports: AscExports) {
    this.view = new DataView(exports.memory.buffer);
    this.bytes = new Uint8Array(exports.memory.buffer);
    this.units = new Uint16Array(exports.memory.buffer, 0, exports.memory.buffer.byteLength >>> 1);
    this.buffer = Buffer.from(exports.memory.buffer);
  }

  /**
   * Growing memory detaches the old buffer (its views read as empty); re-take
   * the views then. Memory grows only while the mapping runs or in `__new`, so
   * this is called on entry to each host function and after each allocation.
   */
  refresh(): void {
    if (this.bytes.byteLength === 0) {
      this.view = new DataView(this.exports.memory.buffer);
      this.bytes = new Uint8Array(this.exports.memory.buffer);
      this.units = new Uint16Array(this.exports.memory.buffer, 0, this.exports.memory.buffer.byteLength >>> 1);
      this.buffer = Buffer.from(this.exports.memory.buffer);
    }
  }

  /**
   * Allocate as the module's stub `__new` does, in JS, instead of calling into
   * the module for each of the hundred-odd objects a trigger's event and
   * entities take. Used only if a probe allocation through the module's own
   * `__new` lands where stub.ts would put it, with the header it would write;
   * the probe is undone. Returns whether the JS allocator is in use.
   */
  useStubAllocator(offset: WebAssembly.Global): boolean {
    const before = Number(offset.value);
    const size = 13;
    const classId = this.classId(TypeId.String);
    const mmInfo = stubPayload(size);
    const end = before + BLOCK_OVERHEAD + mmInfo;
    const saved = this.bytes.slice(before, end);
    const ptr = this.exports.__new(size, classId);
    this.refresh();
    const ok =
      ptr === before + BLOCK_OVERHEAD + OBJECT_OVERHEAD &&
      Number(offset.value) === end &&
      this.u32(before) === mmInfo &&
      this.u32(before + 4) === 0 &&
      this.u32(before + 8) === 0 &&
      this.u32(before + 12) === classId &&
      this.u32(before + 16) === size;
    this.bytes.set(saved, before);
    offset.value = before;
    this.offsetGlobal = ok ? offset : null;
    return ok;
  }

  /** Whether allocations between `enter` and `leave` are made in JS (`useStubAllocator` adopted the module's allocator). */
  get allocatesInJs(): boolean {
    return this.offsetGlobal !== null;
  }

  /** On entry to the host (a host function, or writing a trigger): take the bump pointer into JS. */
  enter(): void {
    this.refresh();
    if (this.offsetGlobal) this.cursor = Number(this.offsetGlobal.value);
  }

  /** On the way back to the mapping: hand the bump pointer back. */
  leave(): void {
    if (this.cursor >= 0) {
      this.offsetGlobal!.value = this.cursor;
      this.cursor = -1;
    }
  }

  classId(typeId: number): number {
    let id = this.classIds.get(typeId);
    if (id === undefined) {
      id = this.exports.id_of_type(typeId);
      this.classIds.set(typeId, id);
    }
    return id;
  }

  alloc(size: number, typeId: number): number {
    const classId = this.classId(typeId);
    const offset = this.cursor;
    if (offset >= 0) {
      const mmInfo = stubPayload(size);
      const end = offset + BLOCK_OVERHEAD + mmInfo;
      // Growing memory, and an allocation too large, are left to the module's own __new (and its trap).
      if (size <= OBJECT_MAXSIZE && end <= this.bytes.byteLength) {
        const view = this.view;
        view.setUint32(offset, mmInfo, true);
        view.setUint32(offset + 4, 0, true);
        view.setUint32(offset + 8, 0, true);
        view.setUint32(offset + 12, classId, true);
        view.setUint32(offset + 16, size, true);
        this.cursor = end;
        return offset + BLOCK_OVERHEAD + OBJECT_OVERHEAD;
      }
      this.offsetGlobal!.value = offset;
      const ptr = this.exports.__new(size, classId);
      this.refresh();
      this.cursor = Number(this.offsetGlobal!.value);
      return ptr;
    }
    const ptr = this.exports.__new(size, classId);
    this.refresh();
    return ptr;
  }

  u32(ptr: number): number {
    return this.view.getUint32(ptr, true);
  }
  i32(ptr: number): number {
    return this.view.getInt32(ptr, true);
  }
  i64(ptr: number): bigint {
    return this.view.getBigInt64(ptr, true);
  }
  setU32(ptr: number, value: number): void {
    this.view.setUint32(ptr, value, true);
  }
  setI64(ptr: number, value: bigint): void {
    this.view.setBigInt64(ptr, value, true);
  }

  /** The payload size recorded in an object's header. */
  rtSize(ptr: number): number {
    return this.u32(ptr - 4);
  }

  private checkPtr(ptr: number, what: string): void {
    if (ptr === 0) throw new RuntimeError(`unexpected null pointer reading ${what}`);
    if (ptr < 20 || ptr > this.bytes.byteLength) {
      throw new RuntimeError(`pointer ${ptr} reading ${what} is outside the module's memory`);
    }
  }

  // ---- strings -------------------------------------------------------------

  /**
   * Strings lately read or written, by pointer: entity and field names are the
   * mapping's static strings, ids come back as the strings the host wrote. A
   * hit counts only if memory still holds exactly that text, so it never
   * answers for changed or reused memory; only well-formed, NUL-free strings
   * (which read back as themselves) are kept.
   */
  private readonly knownStrings = new Map<number, string>();

  private rememberString(ptr: number, text: string): void {
    if (this.knownStrings.size >= 4096) this.knownStrings.clear();
    this.knownStrings.set(ptr, text);
  }

  /** Whether the memory at `ptr` holds the UTF-16 code units of `text`. */
  private holdsString(ptr: number, text: string): boolean {
    if ((ptr & 1) !== 0 || ptr + text.length * 2 > this.bytes.byteLength) return false;
    const units = this.units;
    const base = ptr >>> 1;
    for (let i = 0; i < text.length; i++) if (units[base + i] !== text.charCodeAt(i)) return false;
    return true;
  }

  readString(ptr: number): string {
    this.checkPtr(ptr, 'a string');
    const size = this.rtSize(ptr);
    const known = this.knownStrings.get(ptr);
    if (known !== undefined && known.length * 2 === size && this.holdsString(ptr, known)) return known;
    let text: string;
    if (size <= 512 && (ptr & 1) === 0) {
      // Short strings (entity and field names, ids) are the common case: decode them directly.
      const units = new Uint16Array(this.bytes.buffer, ptr, size >>> 1);
      text = String.fromCharCode.apply(null, units as unknown as number[]);
      if (/[\uD800-\uDFFF]/.test(text) && !text.isWellFormed()) {
        throw new RuntimeError('a string from the mapping is not valid UTF-16 (unpaired surrogate)');
      }
    } else {
      try {
        text = utf16.decode(this.bytes.subarray(ptr, ptr + size));
      } catch {
        throw new RuntimeError('a string from the mapping is not valid UTF-16 (unpaired surrogate)');
      }
    }
    // graph-node strips NUL characters when it reads strings from the mapping.
    if (text.includes('\u0000')) return text.replace(/\u0000/g, '');
    if (size <= 512 && size % 2 === 0) this.rememberString(ptr, text);
    return text;
  }

  writeString(text: string): number {
    const ptr = this.alloc(text.length * 2, TypeId.String);
    if ((ptr & 1) === 0) {
      const units = this.units;
      const base = ptr >>> 1;
      // NULs and surrogates do not read back as themselves (NULs are stripped, lone surrogates refused).
      let plain = text.length <= 256;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        units[base + i] = c;
        if (c === 0 || (c & 0xf800) === 0xd800) plain = false;
      }
      if (plain) this.rememberString(ptr, text);
    } else {
      for (let i = 0; i < text.length; i++) this.view.setUint16(ptr + 2 * i, text.charCodeAt(i), true);
    }
    return ptr;
  }

  // ---- bytes ---------------------------------------------------------------

  readArrayBuffer(ptr: number): Uint8Array {
    this.checkPtr(ptr, 'an ArrayBuffer');
    return this.bytes.slice(ptr, ptr + this.rtSize(ptr));
  }

  /** A typed array view (Uint8Array, Bytes, Address, BigInt): {buffer, dataStart, byteLength}. */
  readBytes(ptr: number): Uint8Array {
    this.checkPtr(ptr, 'a byte array');
    const dataStart = this.u32(ptr + 4);
    const byteLength = this.u32(ptr + 8);
    return this.bytes.slice(dataStart, dataStart + byteLength);
  }

  /** A byte array as 0x-prefixed lower-case hex (bytesToHex of readBytes), read in place. */
  readHex(ptr: number): string {
    this.checkPtr(ptr, 'a byte array');
    const dataStart = this.u32(ptr + 4);
    const byteLength = this.u32(ptr + 8);
    return '0x' + this.buffer.toString('hex', dataStart, dataStart + byteLength);
  }

  writeArrayBuffer(data: Uint8Array): number {
    const ptr = this.alloc(data.length, TypeId.ArrayBuffer);
    this.bytes.set(data, ptr);
    return ptr;
  }

  writeBytes(data: Uint8Array, typeId: number = TypeId.Uint8Array): number {
    const buffer = this.writeArrayBuffer(data);
    const ptr = this.alloc(12, typeId);
    this.setU32(ptr, buffer);
    this.setU32(ptr + 4, buffer);
    this.setU32(ptr + 8, data.length);
    return ptr;
  }

  /**
   * BigInts the host wrote, by the pointer of their Uint8Array: what a mapping
   * passes back (an entity's field to `plus`, an event parameter to `store.set`)
   * is mostly what the host handed it. A hit counts only if the array still
   * views the same bytes at the same place; values past graph-node's size
   * check are not kept, so that reading them fails as it should.
   */
  private readonly writtenBigInts = new Map<number, { value: bigint; dataStart: number; bytes: Uint8Array }>();
  /** Bytes of BigInts lately written, by value: an entity's unchanged fields are written again and again. */
  private readonly bigIntBytes = new Map<bigint, Uint8Array>();

  /** graph-node checks the size of every BigInt it reads from a mapping (BigInt::new); bigIntFromBytesLE does. */
  readBigInt(ptr: number): bigint {
    this.checkPtr(ptr, 'a BigInt');
    const dataStart = this.u32(ptr + 4);
    const byteLength = this.u32(ptr + 8);
    if (dataStart + byteLength > this.bytes.byteLength) {
      throw new RuntimeError(`a BigInt at ${ptr} reaches outside the module's memory`);
    }
    const written = this.writtenBigInts.get(ptr);
    if (written !== undefined && written.dataStart === dataStart && written.bytes.length === byteLength && this.holdsBytes(dataStart, written.bytes)) {
      return written.value;
    }
    return bigIntFromBytesLE(this.bytes, dataStart, byteLength);
  }

  writeBigInt(value: bigint): number {
    let bytes = this.bigIntBytes.get(value);
    if (bytes === undefined) {
      bytes = bigIntToBytesLE(value);
      if (this.bigIntBytes.size >= 1024) this.bigIntBytes.clear();
      this.bigIntBytes.set(value, bytes);
    }
    const ptr = this.writeBytes(bytes);
    if (bytes.length * 8 <= BIGINT_MAX_BITS) {
      if (this.writtenBigInts.size >= 4096) this.writtenBigInts.clear();
      this.writtenBigInts.set(ptr, { value, dataStart: this.u32(ptr + 4), bytes });
    }
    return ptr;
  }

  /** Whether memory from `start` holds `bytes`. */
  private holdsBytes(start: number, bytes: Uint8Array): boolean {
    const memory = this.bytes;
    for (let i = 0; i < bytes.length; i++) if (memory[start + i] !== bytes[i]) return false;
    return true;
  }

  /** graph-ts BigDecimal {digits: BigInt, exp: BigInt}; graph-node normalizes what it reads. */
  readBigDecimal(ptr: number): BigDecimalValue {
    this.checkPtr(ptr, 'a BigDecimal');
    return decimalFromWasm(this.readBigInt(this.u32(ptr)), this.readBigInt(this.u32(ptr + 4)));
  }

  writeBigDecimal(value: BigDecimalValue): number {
    const digits = this.writeBigInt(value.digits);
    const exp = this.writeBigInt(BigInt(value.exp));
    const ptr = this.alloc(8, TypeId.BigDecimal);
    this.setU32(ptr, digits);
    this.setU32(ptr + 4, exp);
    return ptr;
  }

  // ---- arrays --------------------------------------------------------------

  /** Array<T> of pointers or 32-bit values: {buffer, dataStart, byteLength, length}. */
  readU32Array(ptr: number): number[] {
    this.checkPtr(ptr, 'an array');
    const dataStart = this.u32(ptr + 4);
    const length = this.i32(ptr + 12);
    const out = new Array<number>(length);
    for (let i = 0; i < length; i++) out[i] = this.u32(dataStart + 4 * i);
    return out;
  }

  writeU32Array(items: number[], typeId: number): number {
    const buffer = this.alloc(items.length * 4, TypeId.ArrayBuffer);
    for (let i = 0; i < items.length; i++) this.view.setUint32(buffer + 4 * i, items[i], true);
    const ptr = this.alloc(16, typeId);
    this.setU32(ptr, buffer);
    this.setU32(ptr + 4, buffer);
    this.setU32(ptr + 8, items.length * 4);
    this.setU32(ptr + 12, items.length);
    return ptr;
  }

  readStringArray(ptr: number): string[] {
    return this.readU32Array(ptr).map((p) => this.readString(p));
  }

  writeStringArray(items: string[]): number {
    return this.writeU32Array(
      items.map((s) => this.writeString(s)),
      TypeId.ArrayString,
    );
  }

  /** A class instance made of consecutive 32-bit pointer fields. */
  writeStruct(fields: number[], typeId: number): number {
    const ptr = this.alloc(fields.length * 4, typeId);
    for (let i = 0; i < fields.length; i++) this.setU32(ptr + 4 * i, fields[i]);
    return ptr;
  }

  /**
   * {kind: i32, (pad), data: u64}: the shape of store values, ethereum values
   * and JSON values. A number payload (a pointer, an i32, a bool) is
   * sign-extended to 64 bits, as a bigint of the same value would be.
   */
  writeEnum(kind: number, payload: number | bigint, typeId: number): number {
    const ptr = this.alloc(16, typeId);
    this.setU32(ptr, kind);
    this.setU32(ptr + 4, 0);
    if (typeof payload === 'number') {
      this.view.setInt32(ptr + 8, payload, true);
      this.view.setInt32(ptr + 12, payload < 0 ? -1 : 0, true);
    } else this.setI64(ptr + 8, payload);
    return ptr;
  }

  readEnum(ptr: number): { kind: number; payload: bigint } {
    this.checkPtr(ptr, 'an enum value');
    return { kind: this.u32(ptr), payload: this.i64(ptr + 8) };
  }

  // ---- store values and entities --------------------------------------------

  readStoreValue(ptr: number): Value {
    this.checkPtr(ptr, 'an enum value');
    const kind = this.u32(ptr);
    // The payload's low 32 bits: a pointer, or an i32.
    const p = this.u32(ptr + 8);
    switch (kind) {
      case StoreValueKind.String:
        return { kind: 'String', value: this.readString(p) };
      case StoreValueKind.Int:
        return { kind: 'Int', value: this.i32(ptr + 8) };
      case StoreValueKind.BigDecimal:
        return { kind: 'BigDecimal', value: this.readBigDecimal(p) };
      case StoreValueKind.Bool:
        return { kind: 'Bool', value: p !== 0 || this.u32(ptr + 12) !== 0 };
      case StoreValueKind.Array:
        return { kind: 'List', value: this.readU32Array(p).map((q) => this.readStoreValue(q)) };
      case StoreValueKind.Null:
        return { kind: 'Null' };
      case StoreValueKind.Bytes:
        return { kind: 'Bytes', value: this.readBytes(p) };
      case StoreValueKind.BigInt:
        return { kind: 'BigInt', value: this.readBigInt(p) };
      case StoreValueKind.Int8:
        return { kind: 'Int8', value: this.i64(ptr + 8) };
      case StoreValueKind.Timestamp:
        return { kind: 'Timestamp', value: this.i64(ptr + 8) };
      default:
        throw new RuntimeError(`unknown store value kind ${kind}`);
    }
  }

  writeStoreValue(value: Value): number {
    const t = TypeId.StoreValue;
    switch (value.kind) {
      case 'String':
        return this.writeEnum(StoreValueKind.String, this.writeString(value.value), t);
      case 'Int':
        return this.writeEnum(StoreValueKind.Int, value.value, t);
      case 'BigDecimal':
        return this.writeEnum(StoreValueKind.BigDecimal, this.writeBigDecimal(value.value), t);
      case 'Bool':
        return this.writeEnum(StoreValueKind.Bool, value.value ? 1 : 0, t);
      case 'List': {
        const items = value.value.map((v) => this.writeStoreValue(v));
        return this.writeEnum(StoreValueKind.Array, this.writeU32Array(items, TypeId.ArrayStoreValue), t);
      }
      case 'Null':
        return this.writeEnum(StoreValueKind.Null, 0, t);
      case 'Bytes':
        return this.writeEnum(StoreValueKind.Bytes, this.writeBytes(value.value), t);
      case 'BigInt':
        return this.writeEnum(StoreValueKind.BigInt, this.writeBigInt(value.value), t);
      case 'Int8':
        return this.writeEnum(StoreValueKind.Int8, value.value, t);
      case 'Timestamp':
        return this.writeEnum(StoreValueKind.Timestamp, value.value, t);
    }
  }

  /** TypedMap<string, Value> (graph-ts Entity): {entries: Array<{key, value}>}. Later keys win. */
  readEntity(ptr: number): Map<string, Value> {
    this.checkPtr(ptr, 'an entity');
    const entries = this.readU32Array(this.u32(ptr));
    const out = new Map<string, Value>();
    for (const entry of entries) {
      const key = this.readString(this.u32(entry));
      out.set(key, this.readStoreValue(this.u32(entry + 4)));
    }
    return out;
  }

  /** Entities are written with their fields sorted by name, as graph-node does (`Entity::sorted`). */
  writeEntity(entity: Map<string, Value>): number {
    const keys = [...entity.keys()].sort();
    const entries = keys.map((key) => {
      const k = this.writeString(key);
      const v = this.writeStoreValue(entity.get(key)!);
      return this.writeStruct([k, v], TypeId.TypedMapEntryStringStoreValue);
    });
    const array = this.writeU32Array(entries, TypeId.ArrayTypedMapEntryStringStoreValue);
    return this.writeStruct([array], TypeId.TypedMapStringStoreValue);
  }
}

/** stub.ts's `computeSize` for `__new(size)`: the block's payload (its mmInfo); the block ends that far past its mmInfo. */
function stubPayload(size: number): number {
  return ((OBJECT_OVERHEAD + size + BLOCK_OVERHEAD + AL_MASK) & ~AL_MASK) - BLOCK_OVERHEAD;
}

export function ptrOf(payload: bigint): number {
  return Number(payload & 0xffffffffn);
}
