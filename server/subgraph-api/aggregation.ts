/**
 * An aggregation's collection field, served as graph-node serves it
 * (store/postgres/src/relational_queries.rs, docs/aggregations.md): the rows
 * rolled up for the requested `interval`, filtered on id, timestamp and the
 * dimensions, newest first by default. With `current: include`, the bucket in
 * progress is computed from the timeseries points not yet rolled up (those
 * from the end of the last rolled-up bucket on, with the same filter applied
 * to the points), then merged in order with the rolled-up rows.
 */
import type { SqlValue } from '../store/codec';
import { rollupRows, type SqlRow } from '../store/rollup';
import { AGGREGATION_INTERVALS, type AggregationInterval, type AggregationSpec } from '../store/schema';
import type { ApiSchema, ApiType } from './api-schema';
import { QueryError } from './errors';
import { fetchLevel, type FetchedRow, type StatementCache } from './fetch';
import { blockCondition, compileFilter, q, type BlockAt } from './sql-filter';
import { compareRows, compileOrder } from './sql-order';

/** The most timeseries points one query folds into a current bucket: a bound on its work, whatever the interval holds. */
export const MAX_CURRENT_BUCKET_POINTS = 100_000;

export interface AggregationRequest {
  interval: string;
  current: string | undefined;
  block: BlockAt;
  where: Record<string, unknown> | null;
  orderBy: string | undefined;
  orderDirection: string | undefined;
  first: number;
  skip: number;
}

/** The rows of the field, and how many SQL statements reading them took (the unit its work is bounded in). */
export function fetchAggregation(
  api: ApiSchema,
  stmts: StatementCache,
  agg: AggregationSpec,
  apiType: ApiType,
  req: AggregationRequest,
): { rows: FetchedRow[]; statements: number } {
  const table = agg.tables.get(req.interval as AggregationInterval);
  if (!table) {
    throw new QueryError(
      `aggregation \`${agg.name}\` has no \`${req.interval}\` interval; its intervals are ${agg.intervals.join(', ')}`,
      'AGGREGATION_INTERVAL_UNKNOWN',
    );
  }
  const typed: ApiType = { ...apiType, concrete: [table] };
  // graph-node sorts aggregations by timestamp, then id, newest first unless told otherwise.
  const orderBy = req.orderBy ?? 'timestamp';
  const orderDirection = req.orderDirection ?? (req.orderBy === undefined ? 'desc' : undefined);
  const asRows = (rows: FetchedRow[]) => rows.map((r) => ({ ...r, typeName: agg.name }));
  const base = { apiType: typed, block: req.block, link: { kind: 'root' as const }, where: req.where, orderBy, orderDirection };
  if (req.current !== 'include') return { rows: asRows(fetchLevel(api, stmts, { ...base, first: req.first, skip: req.skip })), statements: 1 };

  const rolled = fetchLevel(api, stmts, { ...base, first: req.skip + req.first, skip: 0 });
  const orderParams: SqlValue[] = [];
  const order = compileOrder(api, typed, table, orderBy, orderDirection, 'a', req.block, orderParams);
  const [parentName, childName] = orderBy.split('__');
  // Ordered by a referenced entity's field: the sort value of a current row is the rolled-up rows' expression over its reference.
  const childSort = childName === undefined ? null : stmts.get(`SELECT ${order.sortExpr} AS s FROM (SELECT ? AS ${q(parentName)}) a`);
  const bucket = currentBucket(api, stmts, agg, typed, req);
  const current = bucket.rows.map((row) => ({
    typeName: agg.name,
    row:
      order.sortExpr === null
        ? row
        : { ...row, __sort: childSort ? (childSort.get(...orderParams, row[parentName] as SqlValue) as { s: unknown }).s : row[orderBy] },
    parent: 0,
  }));
  const all = [...rolled, ...current];
  all.sort((x, y) => compareRows(x.row, y.row, order));
  // The rolled-up rows, then the current bucket's, then one sort-value read per current row where the order is a child's field.
  const statements = 1 + bucket.statements + (childSort ? current.length : 0);
  return { rows: asRows(all.slice(req.skip, req.skip + req.first)), statements };
}

/** The bucket in progress: the points after the last rollup, aggregated as a rollup would aggregate them. */
function currentBucket(api: ApiSchema, stmts: StatementCache, agg: AggregationSpec, typed: ApiType, req: AggregationRequest): { rows: SqlRow[]; statements: number } {
  const table = typed.concrete[0];
  const lengthMicros = BigInt(AGGREGATION_INTERVALS[req.interval as AggregationInterval]) * 1_000_000n;
  const lastParams: SqlValue[] = [];
  const lastSql = `SELECT max(a.timestamp) AS ts FROM ${q(table.name)} a WHERE ${blockCondition(table, 'a', req.block, lastParams)}`;
  const last = (stmts.get(lastSql).get(...lastParams) as { ts: bigint | number | null }).ts;
  // graph-node's last_rollup: the start of the last rolled-up bucket, plus the interval, plus a second.
  const lastRollup = last === null ? null : BigInt(last) + lengthMicros + 1_000_000n;

  const params: SqlValue[] = [];
  const conds = [blockCondition(agg.source, 'a', req.block, params)];
  if (lastRollup !== null) {
    conds.push('a.timestamp >= ?');
    params.push(lastRollup);
  }
  if (req.where && Object.keys(req.where).length) {
    conds.push(compileFilter({ api, block: req.block, params, aliasCounter: { n: 0 } }, typed, agg.source, req.where, 'a'));
  }
  const pointsSql = `SELECT a.* FROM ${q(agg.source.name)} a WHERE ${conds.join(' AND ')} ORDER BY a.id LIMIT ?`;
  const points = stmts.get(pointsSql).all(...params, MAX_CURRENT_BUCKET_POINTS + 1) as SqlRow[];
  if (points.length > MAX_CURRENT_BUCKET_POINTS) {
    throw new QueryError(
      `the current \`${req.interval}\` bucket of \`${agg.name}\` holds more than ${MAX_CURRENT_BUCKET_POINTS} points; query with \`current: exclude\` or filter on its dimensions`,
      'CURRENT_BUCKET_TOO_LARGE',
    );
  }
  const prevParams: SqlValue[] = [];
  const prevBlock = blockCondition(table, 'a', req.block, prevParams);
  const dims = agg.dimensions.map((d) => ` AND a.${q(d.name)} IS ?`).join('');
  const prevSql = `SELECT a.* FROM ${q(table.name)} a WHERE ${prevBlock} AND a.timestamp < ?${dims} ORDER BY a.timestamp DESC LIMIT 1`;
  const bin = (ts: bigint) => ts - (((ts % lengthMicros) + lengthMicros) % lengthMicros);
  // The last rollup and the points, then one read of a group's previous row per group with cumulative aggregates.
  let statements = 2;
  const rows = rollupRows(
    agg,
    points,
    (group) => bin(group.reduce((m, p) => (BigInt(p.timestamp as bigint) > m ? BigInt(p.timestamp as bigint) : m), BigInt(group[0].timestamp as bigint))),
    (row) => {
      if (lastRollup === null) return null;
      statements++;
      return (stmts.get(prevSql).get(...prevParams, lastRollup, ...agg.dimensions.map((d) => row[d.name] as SqlValue)) as SqlRow | undefined) ?? null;
    },
  );
  return { rows, statements };
}
