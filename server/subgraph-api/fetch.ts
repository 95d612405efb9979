/**
 * Reads one level of a query: the entities of a collection or of one field
 * for a whole batch of parents, in one SQL statement per concrete entity
 * type (an interface reads each implementer and merges in JS). Per-parent
 * `first`/`skip` use a window over the parent key, so a nested selection
 * costs one statement per level however many parents there are.
 */
import type Database from 'better-sqlite3';
import type { SqlValue } from '../store/codec';
import type { EntityTypeSpec, IdType } from '../store/schema';
import type { ApiSchema, ApiType } from './api-schema';
import { compileFilter, blockCondition, q, type BlockAt } from './sql-filter';
import { compareRows, compileOrder, type CompiledOrder } from './sql-order';
import { idFromText } from './values';

export type Row = Record<string, unknown>;

export interface FetchedRow {
  typeName: string;
  row: Row;
  /** Index of the parent this row belongs to (0 at the root). */
  parent: number;
}

/** How the rows of a level are tied to their parents. */
export type Link =
  | { kind: 'root' }
  | { kind: 'id'; id: SqlValue }
  /** Parent `i` refers to the entities whose ids (text form) are given. */
  | { kind: 'ids'; pairs: Array<[number, string]> }
  /** The entities whose field `back` holds (or, for lists, contains) the parent's id (text form). */
  | { kind: 'derived'; back: string; pairs: Array<[number, string]> }
  /** A fulltext search: the versions of the entity its FTS5 table matches (best match first). */
  | { kind: 'fulltext'; table: string; match: string };

export interface FetchRequest {
  apiType: ApiType;
  block: BlockAt;
  link: Link;
  where?: Record<string, unknown> | null;
  orderBy?: string;
  orderDirection?: string;
  /** undefined: no limit (single-valued fields). */
  first?: number;
  skip?: number;
}

/**
 * Prepared statements by SQL text. Filters shape the SQL (an `_in` list of
 * n values has n placeholders), so the cache is bounded by the bytes of its
 * SQL as well as by count: past either it starts over. A statement of more
 * than a sixteenth of the budget is prepared for its one use and not kept.
 */
export class StatementCache {
  private readonly cache = new Map<string, Database.Statement>();
  private sqlBytes = 0;
  constructor(
    private readonly db: Database.Database,
    readonly maxStatements = 2000,
    readonly maxSqlBytes = 4 * 1024 * 1024,
  ) {}
  get(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      if (sql.length > this.maxSqlBytes / 16) return s;
      if (this.cache.size >= this.maxStatements || this.sqlBytes + sql.length > this.maxSqlBytes) {
        this.cache.clear();
        this.sqlBytes = 0;
      }
      this.cache.set(sql, s);
      this.sqlBytes += sql.length;
    }
    return s;
  }

  /** Bytes of SQL text held (for tests and metrics). */
  get bytes(): number {
    return this.sqlBytes;
  }
}

function fetchType(api: ApiSchema, stmts: StatementCache, req: FetchRequest, type: EntityTypeSpec, limitFromZero: boolean): { rows: Row[]; order: CompiledOrder } {
  const params: SqlValue[] = [];
  const a = 'a';
  const t = q(type.name);
  let from: string;
  let partition: string | null = null;
  const link = req.link;
  switch (link.kind) {
    case 'root':
    case 'id':
      from = `${t} ${a}`;
      break;
    case 'fulltext':
      params.push(link.match);
      // FTS5's MATCH and bm25() want the table by its name, not an alias.
      from = `${t} ${a} JOIN ${q(link.table)} ON ${q(link.table)}.rowid = ${a}.__vid AND ${q(link.table)} MATCH ?`;
      break;
    case 'ids':
      params.push(JSON.stringify(link.pairs));
      from = `(SELECT json_extract(value, '$[0]') AS pk, json_extract(value, '$[1]') AS ref FROM json_each(?)) p JOIN ${t} ${a} ON ${a}.id = ${idFromText(type.idType, 'p.ref')}`;
      partition = 'p.pk';
      break;
    case 'derived': {
      params.push(JSON.stringify(link.pairs));
      const back = type.fieldsByName.get(link.back)!;
      const on = back.list
        ? `EXISTS (SELECT 1 FROM json_each(${a}.${q(back.name)}) e WHERE e.value = p.ref)`
        : `${a}.${back.name === 'id' ? 'id' : q(back.name)} = ${idFromText(back.valueKind as IdType, 'p.ref')}`;
      from = `(SELECT json_extract(value, '$[0]') AS pk, json_extract(value, '$[1]') AS ref FROM json_each(?)) p JOIN ${t} ${a} ON ${on}`;
      partition = 'p.pk';
      break;
    }
  }
  const conds: string[] = [];
  if (link.kind === 'id') {
    params.push(link.id);
    conds.push(`${a}.id = ?`);
  }
  // Parameters are bound in text order: the order's subqueries come in the select list, before WHERE.
  const orderParams: SqlValue[] = [];
  const ordered = compileOrder(api, req.apiType, type, req.orderBy, req.orderDirection, a, req.block, orderParams);
  // Fulltext results come best match first (graph-node orders by ts_rank), then by id.
  const order = link.kind === 'fulltext' ? { ...ordered, terms: `bm25(${q(link.table)}), ${a}.id` } : ordered;
  const whereParams: SqlValue[] = [];
  conds.push(blockCondition(type, a, req.block, whereParams));
  if (req.where && Object.keys(req.where).length) {
    conds.push(compileFilter({ api, block: req.block, params: whereParams, aliasCounter: { n: 0 } }, req.apiType, type, req.where, a));
  }
  const sortSelect = order.sortExpr ? `, ${order.sortExpr} AS __sort` : '';
  const skip = limitFromZero ? 0 : (req.skip ?? 0);
  const first = req.first === undefined ? undefined : limitFromZero ? (req.skip ?? 0) + req.first : req.first;
  let sql: string;
  let allParams: SqlValue[];
  if (partition) {
    const window = `ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order.terms.replace(/__sort/g, order.sortExpr ?? '')})`;
    // The sort expression appears twice (select list and window): bind its parameters twice.
    const inner = `SELECT ${a}.*, ${partition} AS __pk${sortSelect}, ${window} AS __rn FROM ${from} WHERE ${conds.join(' AND ')}`;
    const limits: string[] = [];
    const limitParams: SqlValue[] = [];
    if (skip > 0) {
      limits.push('__rn > ?');
      limitParams.push(skip);
    }
    if (first !== undefined) {
      limits.push('__rn <= ?');
      limitParams.push(skip + first);
    }
    sql = `SELECT * FROM (${inner})${limits.length ? ' WHERE ' + limits.join(' AND ') : ''} ORDER BY __pk, __rn`;
    // Text order of the placeholders: select list, window, FROM (the parents' JSON), WHERE, limits.
    allParams = [...orderParams, ...(order.sortExpr ? orderParams : []), ...params, ...whereParams, ...limitParams];
  } else {
    sql = `SELECT ${a}.*${sortSelect} FROM ${from} WHERE ${conds.join(' AND ')} ORDER BY ${order.terms}`;
    const limitParams: SqlValue[] = [];
    if (first !== undefined) {
      sql += ' LIMIT ? OFFSET ?';
      limitParams.push(first, skip);
    } else if (skip > 0) {
      sql += ' LIMIT -1 OFFSET ?';
      limitParams.push(skip);
    }
    allParams = [...orderParams, ...params, ...whereParams, ...limitParams];
  }
  const rows = stmts.get(sql).all(...allParams) as Row[];
  return { rows, order };
}

export function fetchLevel(api: ApiSchema, stmts: StatementCache, req: FetchRequest): FetchedRow[] {
  const types = req.apiType.concrete;
  if (types.length === 1) {
    const { rows } = fetchType(api, stmts, req, types[0], false);
    const name = types[0].name;
    return rows.map((row) => ({ typeName: name, row, parent: row.__pk === undefined ? 0 : Number(row.__pk) }));
  }
  // Several implementers: each gives its first skip+first rows per parent; merge, order and cut in JS.
  const all: FetchedRow[] = [];
  let order: CompiledOrder | null = null;
  for (const type of types) {
    const r = fetchType(api, stmts, req, type, true);
    order = r.order;
    for (const row of r.rows) all.push({ typeName: type.name, row, parent: row.__pk === undefined ? 0 : Number(row.__pk) });
  }
  if (!order) return [];
  const byParent = new Map<number, FetchedRow[]>();
  for (const r of all) {
    let list = byParent.get(r.parent);
    if (!list) byParent.set(r.parent, (list = []));
    list.push(r);
  }
  const out: FetchedRow[] = [];
  const skip = req.skip ?? 0;
  for (const [, list] of [...byParent].sort((x, y) => x[0] - y[0])) {
    list.sort((x, y) => compareRows(x.row, y.row, order!));
    out.push(...(req.first === undefined ? list.slice(skip) : list.slice(skip, skip + req.first)));
  }
  return out;
}
