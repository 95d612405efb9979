/**
 * Aggregation rollups with graph-node's semantics
 * (store/postgres/src/relational/rollup.rs, docs/aggregations.md), computed
 * over rows as SQLite keeps them. One bucket's timeseries points are grouped
 * by the aggregation's dimensions; each group gives one row whose id is the
 * largest point id, whose timestamp is the bucket's start, and whose
 * aggregates are sum, count, min, max, first or last (first and last by
 * point id). A cumulative aggregate adds the group's previous row. The store
 * writes these rows when a block crosses an interval boundary; the query API
 * computes the bucket in progress (`current: include`) with the same code.
 */
import { decimalFromString, decimalPlus, type BigDecimalValue } from '../runtime/numbers';
import { decodeSortableBigInt, decodeSortableDecimal, encodeSortableBigInt, encodeSortableDecimal, type SqlValue } from './codec';
import type { AggregateSpec, AggregationSpec, FieldSpec } from './schema';

export type SqlRow = Record<string, unknown>;

type Num = { kind: 'int'; value: bigint } | { kind: 'decimal'; value: BigDecimalValue };

function readNum(raw: unknown, field: FieldSpec): Num | null {
  if (raw === null || raw === undefined) return null;
  switch (field.valueKind) {
    case 'Int':
    case 'Int8':
      return { kind: 'int', value: BigInt(raw as number | bigint) };
    case 'BigInt':
      return { kind: 'int', value: decodeSortableBigInt(raw as string) };
    case 'BigDecimal':
      return { kind: 'decimal', value: decodeSortableDecimal(raw as string) };
    default:
      throw new Error(`${field.name} is not numeric`);
  }
}

const asDecimal = (n: Num): BigDecimalValue => (n.kind === 'decimal' ? n.value : decimalFromString(n.value.toString()));

function plus(a: Num, b: Num): Num {
  if (a.kind === 'int' && b.kind === 'int') return { kind: 'int', value: a.value + b.value };
  return { kind: 'decimal', value: decimalPlus(asDecimal(a), asDecimal(b)) };
}

/** Numeric order; the sortable text encoding of decimals orders as the numbers do. */
function compare(a: Num, b: Num): number {
  if (a.kind === 'int' && b.kind === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  const x = encodeSortableDecimal(asDecimal(a));
  const y = encodeSortableDecimal(asDecimal(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The aggregate's value as its column keeps it. Integer aggregates of a decimal argument are refused by the schema. */
function writeNum(n: Num | null, field: FieldSpec): SqlValue {
  if (n === null) return null;
  switch (field.valueKind) {
    case 'Int':
      if (n.kind !== 'int') throw new Error(`${field.name}: a decimal cannot be kept in an Int column`);
      if (n.value < -(2n ** 31n) || n.value >= 2n ** 31n) throw new RollupError(`aggregate ${field.name} = ${n.value} does not fit in an Int; declare the field Int8 or BigInt`);
      return Number(n.value);
    case 'Int8':
      if (n.kind !== 'int') throw new Error(`${field.name}: a decimal cannot be kept in an Int8 column`);
      if (n.value < -(2n ** 63n) || n.value >= 2n ** 63n) throw new RollupError(`aggregate ${field.name} = ${n.value} does not fit in an Int8; declare the field BigInt`);
      return n.value;
    case 'BigInt':
      if (n.kind !== 'int') throw new Error(`${field.name}: a decimal cannot be kept in a BigInt column`);
      return encodeSortableBigInt(n.value);
    default:
      return encodeSortableDecimal(asDecimal(n));
  }
}

export class RollupError extends Error {
  readonly code = 'AGGREGATE_OVERFLOW';
}

/** Whether first/last keep the argument's stored value as it is (Bytes, String, references: graph-node allows them). */
function passesThrough(agg: AggregateSpec): boolean {
  return agg.arg !== null && !['Int', 'Int8', 'BigInt', 'BigDecimal'].includes(agg.arg.typeName);
}

/** first or last of a non-numeric argument: the first or last non-null stored value by point id. */
function pick(agg: AggregateSpec, points: SqlRow[], previous: SqlRow | null): SqlValue {
  const values = points.map((p) => p[agg.arg!.name] as SqlValue).filter((v) => v !== null && v !== undefined);
  const fromPrevious = agg.cumulative && previous ? ((previous[agg.field.name] as SqlValue) ?? null) : null;
  if (agg.fn === 'first') return fromPrevious ?? values[0] ?? null;
  return values[values.length - 1] ?? fromPrevious;
}

/** One aggregate over a group's points (sorted by id); nulls are skipped, as SQL aggregates skip them. */
function aggregate(agg: AggregateSpec, points: SqlRow[]): Num | null {
  if (agg.fn === 'count') return { kind: 'int', value: BigInt(points.length) };
  const values = points.map((p) => readNum(p[agg.arg!.name], agg.arg!)).filter((v): v is Num => v !== null);
  if (values.length === 0) return null;
  switch (agg.fn) {
    case 'sum':
      return values.reduce(plus);
    case 'min':
      return values.reduce((a, b) => (compare(b, a) < 0 ? b : a));
    case 'max':
      return values.reduce((a, b) => (compare(b, a) > 0 ? b : a));
    case 'first':
      return values[0];
    case 'last':
      return values[values.length - 1];
  }
}

/** A cumulative aggregate: this bucket's value combined with the group's previous row (graph-node's `combine`). */
function combine(agg: AggregateSpec, previous: Num | null, current: Num | null): Num | null {
  if (previous === null) return current;
  if (current === null) return previous;
  switch (agg.fn) {
    case 'sum':
    case 'count':
      return plus(previous, current);
    case 'min':
      return compare(current, previous) < 0 ? current : previous;
    case 'max':
      return compare(current, previous) > 0 ? current : previous;
    case 'first':
      return previous;
    case 'last':
      return current;
  }
}

/** The key of a group: its dimensions' stored values. */
export function dimensionKey(agg: AggregationSpec, row: SqlRow): string {
  return JSON.stringify(agg.dimensions.map((d) => {
    const v = row[d.name];
    if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
    return typeof v === 'bigint' ? v.toString() : (v ?? null);
  }));
}

/**
 * The rows of one bucket: `points` are the bucket's timeseries rows sorted by
 * id; `bucketStart` gives a group's timestamp (microseconds) from its points;
 * `previous` finds a group's last row before this bucket, for cumulative
 * aggregates.
 */
export function rollupRows(
  agg: AggregationSpec,
  points: SqlRow[],
  bucketStart: (group: SqlRow[]) => bigint,
  previous: (dimensions: SqlRow) => SqlRow | null,
): SqlRow[] {
  const groups = new Map<string, SqlRow[]>();
  for (const p of points) {
    const key = dimensionKey(agg, p);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(p);
  }
  const cumulative = agg.aggregates.some((a) => a.cumulative);
  const out: SqlRow[] = [];
  for (const group of groups.values()) {
    const row: SqlRow = {};
    let maxId = BigInt(group[0].id as number | bigint);
    for (const p of group) if (BigInt(p.id as number | bigint) > maxId) maxId = BigInt(p.id as number | bigint);
    row.id = maxId;
    row.timestamp = bucketStart(group);
    for (const d of agg.dimensions) row[d.name] = group[0][d.name] ?? null;
    const prev = cumulative ? previous(row) : null;
    for (const a of agg.aggregates) {
      if (passesThrough(a)) {
        row[a.field.name] = pick(a, group, prev);
        continue;
      }
      const value = aggregate(a, group);
      row[a.field.name] = writeNum(a.cumulative && prev ? combine(a, readNum(prev[a.field.name], a.field), value) : value, a.field);
    }
    out.push(row);
  }
  return out;
}
