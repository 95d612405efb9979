/**
 * Values across the query API's two edges: GraphQL input (filter values,
 * ids) into the SQL values the store keeps (server/store/codec.ts), and
 * stored column values into the JSON graph-node answers with: BigInt,
 * BigDecimal, Int8 and Timestamp as decimal strings, Bytes as lowercase 0x
 * hex, Int as a number.
 */
import { decimalFromString, decimalToString, normalizeDecimal } from '../runtime/numbers';
import { bytesToHex } from '../runtime/values';
import { decodeSortableBigInt, decodeSortableDecimal, encodeSortableBigInt, encodeSortableDecimal, type SqlValue } from '../store/codec';
import type { FieldSpec, IdType } from '../store/schema';
import { errors } from './errors';

export function bytesFromHex(text: string): Uint8Array {
  const body = text.startsWith('0x') ? text.slice(2) : text;
  if (body.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(body)) {
    throw errors.valueParse('Bytes', body.length % 2 !== 0 ? 'Odd number of digits' : 'Invalid character');
  }
  return Buffer.from(body, 'hex');
}

export function idToSql(idType: IdType, id: string | number): SqlValue {
  if (idType === 'Bytes') return bytesFromHex(String(id));
  if (idType === 'Int8') {
    if (!/^-?\d+$/.test(String(id))) throw errors.valueParse('Int8', String(id));
    return BigInt(id);
  }
  return String(id);
}

/** The text an id has inside a stored JSON list (and in our parent/child join parameters). */
export function idText(idType: IdType, raw: unknown): string {
  if (idType === 'Bytes') return bytesToHex(raw as Uint8Array);
  return String(raw);
}

/** SQL that turns such a text back into the id column's own type. */
export function idFromText(idType: IdType, expr: string): string {
  if (idType === 'Bytes') return `unhex(substr(${expr}, 3))`;
  if (idType === 'Int8') return `CAST(${expr} AS INTEGER)`;
  return expr;
}

/** A scalar GraphQL input value for `field` (of its value kind) as the store keeps it in its column. */
export function inputToSql(field: FieldSpec, value: unknown): SqlValue {
  if (value === null || value === undefined) return null;
  switch (field.valueKind) {
    case 'String':
      return String(value);
    case 'Int':
      return Number(value);
    case 'Int8':
    case 'Timestamp':
      if (!/^-?\d+$/.test(String(value))) throw errors.valueParse(field.valueKind, String(value));
      return BigInt(value as string);
    case 'Bool':
      return value ? 1 : 0;
    case 'Bytes':
      return bytesFromHex(String(value));
    case 'BigInt':
      if (!/^-?\d+$/.test(String(value).trim())) throw errors.valueParse('BigInt', String(value));
      return encodeSortableBigInt(BigInt(String(value).trim()));
    case 'BigDecimal':
      try {
        return encodeSortableDecimal(normalizeDecimal(decimalFromString(String(value))));
      } catch (e) {
        throw errors.valueParse('BigDecimal', (e as Error).message);
      }
    default:
      return String(value);
  }
}

/** An element of a list input in the form stored list elements have in their JSON text. */
export function inputToListElement(field: FieldSpec, value: unknown): unknown {
  if (value === null) return null;
  switch (field.valueKind) {
    case 'Bytes':
      return bytesToHex(bytesFromHex(String(value)));
    case 'BigInt':
    case 'Int8':
    case 'Timestamp':
      return BigInt(String(value)).toString();
    case 'BigDecimal':
      return encodeSortableDecimal(normalizeDecimal(decimalFromString(String(value))));
    case 'Int':
      return Number(value);
    case 'Bool':
      return Boolean(value);
    default:
      return String(value);
  }
}

function listElementToJson(field: FieldSpec, raw: unknown): unknown {
  if (raw === null) return null;
  switch (field.valueKind) {
    case 'BigDecimal':
      return decimalToString(decodeSortableDecimal(raw as string));
    case 'Int':
      return Number(raw);
    case 'Bool':
      return Boolean(raw);
    default:
      return raw;
  }
}

/** A stored column value as graph-node serializes it in a query result. */
export function columnToJson(field: FieldSpec, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  if (field.list) return (JSON.parse(raw as string) as unknown[]).map((r) => listElementToJson(field, r));
  switch (field.valueKind) {
    case 'String':
      return raw;
    case 'Int':
      return Number(raw);
    case 'Int8':
    case 'Timestamp':
      return String(raw);
    case 'Bool':
      return Number(raw) !== 0;
    case 'Bytes':
      return bytesToHex(raw as Uint8Array);
    case 'BigInt':
      return decodeSortableBigInt(raw as string).toString();
    case 'BigDecimal':
      return decimalToString(decodeSortableDecimal(raw as string));
    default:
      return raw;
  }
}
