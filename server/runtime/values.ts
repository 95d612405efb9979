/**
 * The entity value model shared by the runtime (host functions) and the store.
 * It mirrors graph-node's `Value` enum (graph/src/data/store/mod.rs) so that
 * what a mapping writes is exactly what the store keeps and the API serves.
 */
import type { BigDecimalValue } from './numbers';

export type Value =
  | { kind: 'String'; value: string }
  | { kind: 'Int'; value: number } // i32
  | { kind: 'Int8'; value: bigint } // i64
  | { kind: 'Timestamp'; value: bigint } // i64 microseconds since the epoch
  | { kind: 'BigDecimal'; value: BigDecimalValue }
  | { kind: 'Bool'; value: boolean }
  | { kind: 'List'; value: Value[] }
  | { kind: 'Null' }
  | { kind: 'Bytes'; value: Uint8Array }
  | { kind: 'BigInt'; value: bigint };

export type ValueKind = Value['kind'];

/** An entity as a map from field name to value; the `id` field is always present once stored. */
export type EntityData = Map<string, Value>;

export const NULL: Value = { kind: 'Null' };

/** graph-node's `Value::type_name`, used in its error messages. */
export function valueTypeName(value: Value): string {
  switch (value.kind) {
    case 'String':
      return 'String';
    case 'Int':
      return 'Int';
    case 'Int8':
      return 'Int8';
    case 'Timestamp':
      return 'Timestamp';
    case 'BigDecimal':
      return 'BigDecimal';
    case 'Bool':
      return 'Boolean';
    case 'List':
      return '[' + (value.value.length > 0 ? valueTypeName(value.value[0]) : 'Unknown') + ']';
    case 'Null':
      return 'Null';
    case 'Bytes':
      return 'Bytes';
    case 'BigInt':
      return 'BigInt';
  }
}

export function bytesToHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

export function hexToBytes(hex: string): Uint8Array {
  const body = hex.startsWith('0x') || hex.startsWith('0X') ? hex.slice(2) : hex;
  // Buffer.from stops at the first character that is not hex, so a short result means bad input.
  const bytes = Buffer.from(body, 'hex');
  if (body.length % 2 !== 0 || bytes.length * 2 !== body.length) {
    throw new Error(`not a hex byte string: ${JSON.stringify(hex)}`);
  }
  return bytes;
}

/** Structural equality, as graph-node compares entities to decide whether a write changes anything. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'Null':
      return true;
    case 'BigDecimal': {
      const bv = (b as { value: BigDecimalValue }).value;
      return a.value.digits === bv.digits && a.value.exp === bv.exp;
    }
    case 'Bytes': {
      const av = a.value;
      const bv = (b as { value: Uint8Array }).value;
      if (av.length !== bv.length) return false;
      for (let i = 0; i < av.length; i++) if (av[i] !== bv[i]) return false;
      return true;
    }
    case 'List': {
      const bv = (b as { value: Value[] }).value;
      return a.value.length === bv.length && a.value.every((v, i) => valuesEqual(v, bv[i]));
    }
    default:
      return a.value === (b as { value: unknown }).value;
  }
}

export function entitiesEqual(a: EntityData, b: EntityData): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w === undefined || !valuesEqual(v, w)) return false;
  }
  return true;
}
