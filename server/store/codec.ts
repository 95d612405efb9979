/**
 * How entity values are kept in SQLite columns. BigInt and BigDecimal are
 * stored as text in an order-preserving encoding, so that SQL comparisons and
 * ORDER BY on those columns (and their indexes) follow numeric order without
 * losing a digit; Bytes are BLOBs, which compare like their hex form.
 */
import type { BigDecimalValue } from '../runtime/numbers';
import { bytesToHex, hexToBytes, type Value, type ValueKind } from '../runtime/values';
import type { FieldSpec } from './schema';

const EXP_OFFSET = 500_000;
const EXP_WIDTH = 7;

/**
 * Sortable text for digits x 10^exp: a sign class (0 negative, 1 zero, 2 positive),
 * then the position of the leading digit, then the digits. Negatives complement
 * both and end with '~' so that a longer magnitude sorts lower.
 */
export function encodeSortableDecimal(value: BigDecimalValue): string {
  let { digits, exp } = value;
  if (digits === 0n) return '1';
  const negative = digits < 0n;
  let text = (negative ? -digits : digits).toString();
  const trimmed = text.replace(/0+$/, '');
  exp += text.length - trimmed.length;
  text = trimmed;
  const lead = exp + text.length + EXP_OFFSET;
  if (lead < 0 || lead >= 10 ** EXP_WIDTH) throw new Error(`exponent ${exp} is outside the range the store can keep`);
  if (!negative) return '2' + String(lead).padStart(EXP_WIDTH, '0') + text;
  const complement = text.replace(/[0-9]/g, (d) => String(9 - Number(d)));
  return '0' + String(10 ** EXP_WIDTH - 1 - lead).padStart(EXP_WIDTH, '0') + complement + '~';
}

export function decodeSortableDecimal(text: string): BigDecimalValue {
  if (text === '1') return { digits: 0n, exp: 0 };
  const negative = text[0] === '0';
  let lead = Number(text.slice(1, 1 + EXP_WIDTH));
  let body = text.slice(1 + EXP_WIDTH);
  if (negative) {
    lead = 10 ** EXP_WIDTH - 1 - lead;
    body = body.slice(0, -1).replace(/[0-9]/g, (d) => String(9 - Number(d)));
  }
  const exp = lead - EXP_OFFSET - body.length;
  const digits = BigInt(body);
  return { digits: negative ? -digits : digits, exp };
}

export function encodeSortableBigInt(value: bigint): string {
  return encodeSortableDecimal({ digits: value, exp: 0 });
}

export function decodeSortableBigInt(text: string): bigint {
  const { digits, exp } = decodeSortableDecimal(text);
  return digits * 10n ** BigInt(exp);
}

export type SqlValue = string | number | bigint | Uint8Array | null;

export function sqlColumnType(field: FieldSpec): string {
  if (field.list) return 'TEXT';
  switch (field.valueKind) {
    case 'Bytes':
      return 'BLOB';
    case 'Int':
    case 'Int8':
    case 'Timestamp':
    case 'Bool':
      return 'INTEGER';
    default:
      return 'TEXT';
  }
}

function scalarToSql(value: Value): SqlValue {
  switch (value.kind) {
    case 'String':
      return value.value;
    case 'Int':
      return value.value;
    case 'Int8':
    case 'Timestamp':
      return value.value;
    case 'Bool':
      return value.value ? 1 : 0;
    case 'Bytes':
      return value.value;
    case 'BigInt':
      return encodeSortableBigInt(value.value);
    case 'BigDecimal':
      return encodeSortableDecimal(value.value);
    case 'Null':
      return null;
    case 'List':
      throw new Error('nested lists cannot be stored');
  }
}

/** Lists are JSON arrays of their elements' plain text forms. */
function listElementToJson(value: Value): unknown {
  switch (value.kind) {
    case 'Bytes':
      return bytesToHex(value.value);
    case 'BigInt':
    case 'Int8':
    case 'Timestamp':
      return value.value.toString();
    case 'BigDecimal':
      return encodeSortableDecimal(value.value);
    case 'Null':
      return null;
    case 'List':
      throw new Error('nested lists cannot be stored');
    default:
      return value.value;
  }
}

function listElementFromJson(raw: unknown, kind: ValueKind): Value {
  if (raw === null) return { kind: 'Null' };
  switch (kind) {
    case 'Bytes':
      return { kind: 'Bytes', value: hexToBytes(raw as string) };
    case 'BigInt':
      return { kind: 'BigInt', value: BigInt(raw as string) };
    case 'Int8':
      return { kind: 'Int8', value: BigInt(raw as string) };
    case 'Timestamp':
      return { kind: 'Timestamp', value: BigInt(raw as string) };
    case 'BigDecimal':
      return { kind: 'BigDecimal', value: decodeSortableDecimal(raw as string) };
    case 'Int':
      return { kind: 'Int', value: raw as number };
    case 'Bool':
      return { kind: 'Bool', value: raw as boolean };
    default:
      return { kind: 'String', value: raw as string };
  }
}

export function toSql(value: Value): SqlValue {
  if (value.kind === 'List') return JSON.stringify(value.value.map(listElementToJson));
  return scalarToSql(value);
}

export function fromSql(raw: unknown, field: FieldSpec): Value {
  if (raw === null || raw === undefined) return { kind: 'Null' };
  if (field.list) {
    return { kind: 'List', value: (JSON.parse(raw as string) as unknown[]).map((r) => listElementFromJson(r, field.valueKind)) };
  }
  switch (field.valueKind) {
    case 'String':
      return { kind: 'String', value: raw as string };
    case 'Int':
      return { kind: 'Int', value: Number(raw) };
    case 'Int8':
      return { kind: 'Int8', value: BigInt(raw as number | bigint) };
    case 'Timestamp':
      return { kind: 'Timestamp', value: BigInt(raw as number | bigint) };
    case 'Bool':
      return { kind: 'Bool', value: Number(raw) !== 0 };
    case 'Bytes':
      return { kind: 'Bytes', value: new Uint8Array(raw as Uint8Array) };
    case 'BigInt':
      return { kind: 'BigInt', value: decodeSortableBigInt(raw as string) };
    case 'BigDecimal':
      // Stored values were normalized when the mapping wrote them; normalizing again could change a negative one.
      return { kind: 'BigDecimal', value: decodeSortableDecimal(raw as string) };
    default:
      throw new Error(`cannot read a ${field.valueKind} column`);
  }
}
