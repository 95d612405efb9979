/**
 * `orderBy`/`orderDirection` compiled to SQL, as graph-node orders
 * (graphql/src/store/query.rs build_order, relational_queries.rs SortKey):
 * by the column then by `id` in the same direction; by `id` alone when no
 * `orderBy` is given; `parent__field` orders by a field of the referenced
 * (or @derivedFrom-referring) entity at the same block, then by the
 * parent's id. Postgres puts NULLs last ascending and first descending;
 * SQLite is told to do the same.
 */
import type { SqlValue } from '../store/codec';
import type { EntityTypeSpec } from '../store/schema';
import type { ApiSchema, ApiType } from './api-schema';
import { errors } from './errors';
import { blockCondition, idTextExpr, q, type BlockAt } from './sql-filter';

export interface CompiledOrder {
  /** The sort value (NULL when ordering by id alone), selected as `__sort` for merging across types. */
  sortExpr: string | null;
  /** ORDER BY terms. */
  terms: string;
  descending: boolean;
}

export function compileOrder(
  api: ApiSchema,
  apiType: ApiType,
  type: EntityTypeSpec,
  orderBy: string | undefined,
  direction: string | undefined,
  alias: string,
  block: BlockAt,
  params: SqlValue[],
): CompiledOrder {
  const desc = direction === 'desc';
  const dir = desc ? 'DESC' : 'ASC';
  const nulls = desc ? 'NULLS FIRST' : 'NULLS LAST';
  const idTerm = `${alias}.id ${dir}`;
  if (!orderBy || orderBy === 'id') return { sortExpr: null, terms: idTerm, descending: desc };

  const [parentName, childName] = orderBy.split('__');
  const field = type.fieldsByName.get(parentName) ?? apiType.fieldsByName.get(parentName);
  if (!field) throw errors.entityField(apiType.name, parentName);
  let expr: string;
  if (childName === undefined) {
    if (field.list || field.derivedFrom) throw errors.orderByNotSupported(apiType.name, parentName);
    expr = `${alias}.${q(field.name)}`;
  } else {
    const childApi = api.types.get(field.typeName);
    if (!childApi) throw errors.orderByNotSupported(apiType.name, orderBy);
    const childField = childApi.fieldsByName.get(childName);
    if (!childField) throw errors.entityField(childApi.name, childName);
    if (childField.list || api.types.has(childField.typeName)) throw errors.orderByNotSupported(childApi.name, childName);
    const subs: string[] = [];
    for (const child of childApi.concrete) {
      const o = `o_${alias}_${child.name.replace(/\W/g, '')}`;
      const col = childName === 'id' ? `${o}.id` : `${o}.${q(childName)}`;
      const blockSql = blockCondition(child, o, block, params);
      if (!field.derivedFrom) {
        subs.push(`(SELECT ${col} FROM ${q(child.name)} ${o} WHERE ${o}.id = ${alias}.${q(field.name)} AND ${blockSql})`);
      } else {
        const back = child.fieldsByName.get(field.derivedFrom);
        if (!back) throw errors.entityField(child.name, field.derivedFrom);
        const join = back.list
          ? `EXISTS (SELECT 1 FROM json_each(${o}.${q(back.name)}) e WHERE e.value = ${idTextExpr(type, `${alias}.id`)})`
          : `${o}.${q(back.name)} = ${alias}.id`;
        subs.push(`(SELECT ${col} FROM ${q(child.name)} ${o} WHERE ${join} AND ${blockSql} LIMIT 1)`);
      }
    }
    expr = subs.length === 1 ? subs[0] : `coalesce(${subs.join(', ')})`;
  }
  return { sortExpr: expr, terms: `__sort ${dir} ${nulls}, ${idTerm}`, descending: desc };
}

function compareValues(a: unknown, b: unknown): number {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b);
  if (typeof a === 'string' && typeof b === 'string') {
    // Byte order of the UTF-8 text, as SQLite's BINARY collation and Postgres' C collation.
    return Buffer.compare(Buffer.from(a), Buffer.from(b));
  }
  const x = typeof a === 'bigint' ? a : BigInt(a as number);
  const y = typeof b === 'bigint' ? b : BigInt(b as number);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two rows as the SQL order does: by `__sort` (NULLs last ascending), then by id. */
export function compareRows(a: Record<string, unknown>, b: Record<string, unknown>, order: CompiledOrder): number {
  const sign = order.descending ? -1 : 1;
  if (order.sortExpr !== null) {
    const x = a.__sort;
    const y = b.__sort;
    const xn = x === null || x === undefined;
    const yn = y === null || y === undefined;
    if (xn !== yn) return xn ? sign : -sign;
    if (!xn) {
      const c = compareValues(x, y);
      if (c !== 0) return sign * c;
    }
  }
  return sign * compareValues(a.id, b.id);
}
