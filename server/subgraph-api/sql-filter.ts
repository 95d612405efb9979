/**
 * `where` filters compiled to SQL over the store's tables, with graph-node's
 * semantics (graphql/src/store/query.rs builds the filter,
 * store/postgres/src/relational_queries.rs turns it into SQL):
 * - comparisons with a null value become `IS [NOT] NULL`; otherwise a NULL
 *   column never matches (SQL three-valued logic, as in Postgres);
 * - `_contains` on strings is a LIKE with `%` around the value unless the
 *   value already starts or ends with `%`; `_starts_with`/`_ends_with` add
 *   `%` on one side; `_nocase` is ILIKE. Wildcards inside the value are not
 *   escaped, as in graph-node. The connection runs with case-sensitive LIKE;
 *   ILIKE is `lower() LIKE lower()` (SQLite lowers ASCII only);
 * - on Bytes, `_contains` is a byte-substring test;
 * - on lists, `_contains` means the list holds every given value,
 *   `_not_contains` that it holds none of them, `_contains_nocase` that some
 *   element matches some value case-insensitively;
 * - `field_` filters on the referenced (or, for @derivedFrom, referring)
 *   entities at the same block; they cannot nest;
 * - `and`/`or` lists; `or` cannot sit beside column filters;
 * - `_change_block: {number_gte}` keeps versions that started at or after
 *   that block.
 */
import type { SqlValue } from '../store/codec';
import type { EntityTypeSpec, FieldSpec } from '../store/schema';
import type { ApiSchema, ApiType, FilterOp } from './api-schema';
import { errors } from './errors';
import { idFromText, inputToListElement, inputToSql } from './values';

export interface BlockAt {
  number: number;
  /** The deployment's head: current versions are those with no end. */
  latest: boolean;
}

export const q = (name: string) => '"' + name.replace(/"/g, '""') + '"';

/** Versions of `type` (rows aliased `alias`) valid at `block`. */
export function blockCondition(type: EntityTypeSpec, alias: string, block: BlockAt, params: SqlValue[]): string {
  if (block.latest) return type.immutable ? '1' : `${alias}.__to IS NULL`;
  params.push(block.number);
  if (type.immutable) return `${alias}.__from <= ?`;
  params.push(block.number);
  return `${alias}.__from <= ? AND (${alias}.__to IS NULL OR ${alias}.__to > ?)`;
}

/** SQL for the text form of an entity's id (how ids appear in stored lists). */
export function idTextExpr(type: EntityTypeSpec, expr: string): string {
  if (type.idType === 'Bytes') return `('0x' || lower(hex(${expr})))`;
  if (type.idType === 'Int8') return `CAST(${expr} AS TEXT)`;
  return expr;
}

export interface FilterContext {
  api: ApiSchema;
  block: BlockAt;
  params: SqlValue[];
  aliasCounter: { n: number };
}

function containsPattern(value: string): string {
  return value.startsWith('%') || value.endsWith('%') ? value : `%${value}%`;
}

function opSql(col: string, field: FieldSpec, op: FilterOp, value: unknown, params: SqlValue[]): string {
  if (field.list) return listOpSql(col, field, op, value, params);
  const isBytes = field.valueKind === 'Bytes';
  switch (op) {
    case '':
    case 'not': {
      const v = inputToSql(field, value);
      if (v === null) return `${col} IS ${op === '' ? '' : 'NOT '}NULL`;
      params.push(v);
      return `${col} ${op === '' ? '=' : '!='} ?`;
    }
    case 'gt':
    case 'lt':
    case 'gte':
    case 'lte': {
      const v = inputToSql(field, value);
      if (v === null) throw errors.valueParse(field.typeName, 'null');
      params.push(v);
      return `${col} ${{ gt: '>', lt: '<', gte: '>=', lte: '<=' }[op]} ?`;
    }
    case 'in':
    case 'not_in': {
      const values = (value as unknown[] | null) ?? [];
      const negated = op === 'not_in';
      const nonNull = values.filter((v) => v !== null);
      const parts: string[] = [];
      if (nonNull.length < values.length) parts.push(`${col} IS ${negated ? 'NOT ' : ''}NULL`);
      if (nonNull.length > 0) {
        for (const v of nonNull) params.push(inputToSql(field, v));
        parts.push(`${col} ${negated ? 'NOT IN' : 'IN'} (${nonNull.map(() => '?').join(', ')})`);
      }
      if (parts.length === 0) return negated ? '1' : '0';
      return parts.length === 1 ? parts[0] : `(${parts.join(' OR ')})`;
    }
    case 'contains':
    case 'not_contains':
      if (isBytes) {
        params.push(inputToSql(field, value));
        return `instr(${col}, ?) ${op === 'contains' ? '>' : '='} 0`;
      }
      params.push(containsPattern(String(value)));
      return `${col} ${op === 'contains' ? '' : 'NOT '}LIKE ? ESCAPE '\\'`;
    case 'contains_nocase':
    case 'not_contains_nocase':
      params.push(containsPattern(String(value)));
      return `lower(${col}) ${op === 'contains_nocase' ? '' : 'NOT '}LIKE lower(?) ESCAPE '\\'`;
    default: {
      // starts_with / ends_with families
      const nocase = op.endsWith('_nocase');
      const negated = op.startsWith('not_');
      const starts = op.includes('starts_with');
      const pattern = starts ? `${value}%` : `%${value}`;
      params.push(pattern);
      const lhs = nocase ? `lower(${col})` : col;
      const rhs = nocase ? 'lower(?)' : '?';
      return `${lhs} ${negated ? 'NOT ' : ''}LIKE ${rhs} ESCAPE '\\'`;
    }
  }
}

function listOpSql(col: string, field: FieldSpec, op: FilterOp, value: unknown, params: SqlValue[]): string {
  if (value === null) {
    if (op === '' || op === 'not') return `${col} IS ${op === '' ? '' : 'NOT '}NULL`;
    throw errors.valueParse(field.display, 'null');
  }
  const elements = (value as unknown[]).map((v) => inputToListElement(field, v));
  switch (op) {
    case '':
    case 'not':
      params.push(JSON.stringify(elements));
      return `${col} ${op === '' ? '=' : '!='} ?`;
    case 'contains':
      params.push(JSON.stringify(elements));
      return `(${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(?) v WHERE v.value NOT IN (SELECT e.value FROM json_each(${col}) e)))`;
    case 'not_contains':
      params.push(JSON.stringify(elements));
      return `(${col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM json_each(${col}) e WHERE e.value IN (SELECT v.value FROM json_each(?) v)))`;
    case 'contains_nocase':
    case 'not_contains_nocase':
      params.push(JSON.stringify(elements));
      return `(${col} IS NOT NULL AND ${op === 'contains_nocase' ? '' : 'NOT '}EXISTS (SELECT 1 FROM json_each(${col}) e, json_each(?) v WHERE lower(e.value) LIKE lower(v.value) ESCAPE '\\'))`;
    default:
      throw errors.valueParse(field.display, `unsupported list filter ${op}`);
  }
}

/**
 * The condition for rows of concrete type `type` (aliased `alias`) matching
 * `filter`, whose keys are those of `apiType`'s `T_filter`.
 */
export function compileFilter(
  ctx: FilterContext,
  apiType: ApiType,
  type: EntityTypeSpec,
  filter: Record<string, unknown>,
  alias: string,
  allowChild = true,
): string {
  const keys = Object.keys(filter);
  if ('or' in filter) {
    const columns = keys.filter((k) => k !== 'or' && k !== 'and' && k !== '_change_block').map((k) => `'${k}'`);
    if (columns.length) throw errors.orMixed(columns);
  }
  const parts: string[] = [];
  for (const key of keys) {
    const value = filter[key];
    if (key === '_change_block') {
      const since = (value as { number_gte?: unknown } | null)?.number_gte;
      if (typeof since !== 'number') throw errors.valueParse('BlockChangedFilter', `${JSON.stringify(value)} is not {number_gte: <block number>}`);
      ctx.params.push(since);
      parts.push(`${alias}.__from >= ?`);
      continue;
    }
    if (key === 'and' || key === 'or') {
      const list = ((value as Array<Record<string, unknown>> | null) ?? []).map((f) => compileFilter(ctx, apiType, type, f ?? {}, alias, allowChild));
      if (list.length === 0) parts.push(key === 'and' ? '1' : '0');
      else parts.push('(' + list.map((s) => `(${s})`).join(key === 'and' ? ' AND ' : ' OR ') + ')');
      continue;
    }
    const fk = apiType.filterKeys.get(key);
    if (!fk) throw errors.entityField(apiType.name, key);
    const field = type.fieldsByName.get(fk.field.name) ?? fk.field;
    if (fk.kind === 'op') {
      parts.push(opSql(`${alias}.${field.name === 'id' ? 'id' : q(field.name)}`, field, fk.op, value, ctx.params));
      continue;
    }
    if (!allowChild) throw errors.childFilterNesting(field.name, JSON.stringify(value));
    parts.push(childFilter(ctx, type, field, (value as Record<string, unknown>) ?? {}, alias));
  }
  return parts.length ? parts.join(' AND ') : '1';
}

function childFilter(ctx: FilterContext, parent: EntityTypeSpec, field: FieldSpec, filter: Record<string, unknown>, alias: string): string {
  const childApi = ctx.api.types.get(field.typeName)!;
  const ors: string[] = [];
  for (const child of childApi.concrete) {
    const c = `f${++ctx.aliasCounter.n}`;
    const t = q(child.name);
    if (!field.derivedFrom) {
      const cond = `${blockCondition(child, c, ctx.block, ctx.params)} AND ${compileFilter(ctx, childApi, child, filter, c, false)}`;
      const sub = `SELECT ${c}.id FROM ${t} ${c} WHERE ${cond}`;
      ors.push(
        field.list
          ? `EXISTS (SELECT 1 FROM json_each(${alias}.${q(field.name)}) e WHERE ${idFromText(child.idType, 'e.value')} IN (${sub}))`
          : `${alias}.${q(field.name)} IN (${sub})`,
      );
    } else {
      const back = child.fieldsByName.get(field.derivedFrom);
      if (!back) throw errors.entityField(child.name, field.derivedFrom);
      if (back.list) {
        const idText = idTextExpr(parent, `${alias}.id`);
        const cond = `${blockCondition(child, c, ctx.block, ctx.params)} AND ${compileFilter(ctx, childApi, child, filter, c, false)}`;
        ors.push(`EXISTS (SELECT 1 FROM ${t} ${c} WHERE ${cond} AND EXISTS (SELECT 1 FROM json_each(${c}.${q(back.name)}) e WHERE e.value = ${idText}))`);
      } else {
        const col = back.name === 'id' ? 'id' : q(back.name);
        const cond = `${blockCondition(child, c, ctx.block, ctx.params)} AND ${compileFilter(ctx, childApi, child, filter, c, false)}`;
        ors.push(`${alias}.id IN (SELECT ${c}.${col} FROM ${t} ${c} WHERE ${cond})`);
      }
    }
  }
  if (ors.length === 0) return '0';
  return ors.length === 1 ? ors[0] : `(${ors.join(' OR ')})`;
}
