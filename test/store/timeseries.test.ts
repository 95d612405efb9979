/**
 * Timeseries and aggregation schemas as graph-node validates them
 * (graph/src/schema/input/mod.rs, docs/aggregations.md), the subset svr
 * refuses with a message, and store_set on a timeseries (host_exports.rs):
 * the node sets the id and the timestamp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityCache } from '../../server/store/entity-cache';
import { parseSchema } from '../../server/store/schema';
import { SqliteStore } from '../../server/store/sqlite-store';
import type { EntityData, Value } from '../../server/runtime/values';

const DATA = `type Data @entity(timeseries: true) { id: Int8!, timestamp: Timestamp!, token: Bytes!, price: BigDecimal!, note: String }`;
const withAggregation = (fields: string, args = 'intervals: ["hour", "day"], source: "Data"') =>
  `${DATA}\ntype Stats @aggregation(${args}) { id: Int8!, timestamp: Timestamp!\n${fields} }`;

test("graph-node's example parses: one immutable table per interval, dimensions and aggregates told apart", () => {
  const schema = parseSchema(withAggregation('token: Bytes!, sum: BigDecimal! @aggregate(fn: "sum", arg: "price"), n: Int8! @aggregate(fn: "count", cumulative: true)'));
  expect(schema.entities.get('Data')).toMatchObject({ timeseries: true, immutable: true, idType: 'Int8' });
  const stats = schema.aggregations.get('Stats')!;
  expect([...stats.tables.values()].map((t) => [t.name, t.immutable])).toEqual([
    ['Stats_hour', true],
    ['Stats_day', true],
  ]);
  expect(stats.dimensions.map((d) => d.name)).toEqual(['token']);
  expect(stats.aggregates.map((a) => [a.field.name, a.fn, a.arg?.name ?? null, a.cumulative])).toEqual([
    ['sum', 'sum', 'price', false],
    ['n', 'count', null, true],
  ]);
  // graph-node lets first and last keep a Bytes or String argument as it is.
  const last = parseSchema(withAggregation('lastToken: Bytes! @aggregate(fn: "last", arg: "token")')).aggregations.get('Stats')!;
  expect(last.aggregates.map((a) => [a.fn, a.arg?.name])).toEqual([['last', 'token']]);
  expect(schema.entities.has('Stats')).toBe(false);
});

test.each([
  ['a source that is not a timeseries', `type Plain @entity { id: ID! }\ntype Stats @aggregation(intervals: ["hour"], source: "Plain") { id: Int8!, timestamp: Timestamp!, n: Int8! @aggregate(fn: "count") }`, /must be an @entity\(timeseries: true\)/],
  ['an interval graph-node does not have', withAggregation('n: Int8! @aggregate(fn: "count")', 'intervals: ["week"], source: "Data"'), /intervals are hour and day, not week/],
  ['an aggregation expression', withAggregation('v: BigDecimal! @aggregate(fn: "sum", arg: "price * 2")'), /does not support aggregation expressions/],
  ['an unknown function', withAggregation('v: BigDecimal! @aggregate(fn: "avg", arg: "price")'), /fn must be one of sum, count, min, max, first, last/],
  ['a non-numeric aggregate of a number', withAggregation('v: String! @aggregate(fn: "sum", arg: "price")'), /aggregates must be Int, Int8, BigInt or BigDecimal/],
  ['an integer aggregate of a decimal', withAggregation('v: BigInt! @aggregate(fn: "sum", arg: "price")'), /is a BigDecimal, which cannot be aggregated into a BigInt/],
  ['a BigInt aggregated into an Int8', `${DATA.replace('note: String', 'size: BigInt!')}\ntype Stats @aggregation(intervals: ["hour"], source: "Data") { id: Int8!, timestamp: Timestamp!, v: Int8! @aggregate(fn: "max", arg: "size") }`, /is a BigInt, which cannot be aggregated into a Int8/],
  ['sum of a String', withAggregation('v: String! @aggregate(fn: "sum", arg: "note")'), /arg note must be a numeric field/],
  ['no aggregate', withAggregation('token: Bytes!'), /at least one @aggregate field/],
  ['a dimension the source lacks', withAggregation('pair: Bytes!, n: Int8! @aggregate(fn: "count")'), /dimension pair must be a field of Data/],
  ['a mutable timeseries', `type Data @entity(timeseries: true, immutable: false) { id: Int8!, timestamp: Timestamp! }`, /cannot be immutable: false/],
  ['a timeseries without an Int8 id', `type Data @entity(timeseries: true) { id: Bytes!, timestamp: Timestamp! }`, /must have an `id: Int8!` field/],
  ['a timeseries without a timestamp', `type Data @entity(timeseries: true) { id: Int8! }`, /must have a `timestamp: Timestamp!` field/],
  ['a stored list of aggregation ids', withAggregation('n: Int8! @aggregate(fn: "count")') + `\ntype Holder @entity { id: ID!, stats: [Stats!]! }`, /must be a list @derivedFrom one of its dimensions/],
  ['a nested aggregation derived from what is not a dimension', withAggregation('n: Int8! @aggregate(fn: "count")') + `\ntype Holder @entity { id: ID!, stats: [Stats!]! @derivedFrom(field: "n") }`, /must name a dimension of Stats that refers to Holder/],
  ['an entity named like an aggregation table', withAggregation('n: Int8! @aggregate(fn: "count")') + `\ntype Stats_hour @entity { id: ID! }`, /has the name of an entity type/],
])('refused: %s', (_what, source, message) => {
  expect(() => parseSchema(source)).toThrow(message);
});

test('store_set on a timeseries: the node generates the id and sets the block time, whatever the mapping gave', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-ts-'));
  try {
    const store = SqliteStore.open(join(dir, 's.sqlite'), DATA, { deployment: 'd', subgraph: 't', network: 'n', startBlock: 0 });
    const cache = new EntityCache(store.schema, store, true, 7, 1_700_000_000);
    const point = (price: string): EntityData =>
      new Map<string, Value>([
        ['id', { kind: 'Int8', value: 99n }],
        ['timestamp', { kind: 'Timestamp', value: 1n }],
        ['token', { kind: 'Bytes', value: new Uint8Array([1]) }],
        ['price', { kind: 'BigDecimal', value: { digits: BigInt(price), exp: 0 } }],
      ]);
    cache.set('Data', '99', point('1'));
    cache.set('Data', '99', point('2'));
    const mods = cache.modifications();
    expect(mods.map((m) => [m.kind, m.id, m.kind === 'remove' ? null : m.data.get('timestamp')])).toEqual([
      ['insert', String((7n << 32n) | 0n), { kind: 'Timestamp', value: 1_700_000_000_000_000n }],
      ['insert', String((7n << 32n) | 1n), { kind: 'Timestamp', value: 1_700_000_000_000_000n }],
    ]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bucket is rolled up once, when a block passes its end, even if block times go back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-ts-'));
  try {
    const source = `${DATA}\ntype Stats @aggregation(intervals: ["hour"], source: "Data") { id: Int8!, timestamp: Timestamp!, n: Int8! @aggregate(fn: "count") }`;
    const store = SqliteStore.open(join(dir, 's.sqlite'), source, { deployment: 'd', subgraph: 't', network: 'n', startBlock: 0 });
    const blockAt = (n: number, time: number, points: number) => {
      const cache = new EntityCache(store.schema, store, true, n, time);
      for (let i = 0; i < points; i++) {
        cache.set('Data', '0', new Map<string, Value>([
          ['token', { kind: 'Bytes', value: new Uint8Array([1]) }],
          ['price', { kind: 'BigDecimal', value: { digits: 1n, exp: 0 } }],
        ]));
      }
      store.commitBlock({ number: n, hash: '0x' + n.toString(16).padStart(64, '0'), parentHash: '0x' + (n - 1).toString(16).padStart(64, '0'), timestamp: time }, cache.modifications(), []);
    };
    const rows = () => (store.db.prepare('SELECT timestamp, n, __from FROM Stats_hour ORDER BY timestamp').all() as Array<Record<string, bigint>>).map((r) => [Number(r.timestamp) / 1e6, Number(r.n), Number(r.__from)]);
    blockAt(1, 100, 2);
    blockAt(2, 3599, 1);
    expect(rows()).toEqual([]);
    blockAt(3, 3600, 1); // hour 0 ends: its 3 points, written at block 3
    expect(rows()).toEqual([[0, 3, 3]]);
    blockAt(4, 3500, 0); // back into hour 0: nothing closes
    blockAt(5, 7300, 0); // hour 0 again by the previous block's time, already rolled up; hour 1's point is not closed by it
    expect(rows()).toEqual([[0, 3, 3]]);
    blockAt(6, 7400, 0);
    blockAt(7, 11_000, 0); // hour 2 ends with no points: no row
    expect(rows()).toEqual([[0, 3, 3]]);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an aggregate too large for its Int column fails the block that rolls it up, and nothing of that block stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-ts-'));
  try {
    const source = `type Data @entity(timeseries: true) { id: Int8!, timestamp: Timestamp!, n: Int! }\ntype Stats @aggregation(intervals: ["hour"], source: "Data") { id: Int8!, timestamp: Timestamp!, total: Int! @aggregate(fn: "sum", arg: "n") }`;
    const store = SqliteStore.open(join(dir, 's.sqlite'), source, { deployment: 'd', subgraph: 't', network: 'n', startBlock: 0 });
    const blockAt = (n: number, time: number, values: number[]) => {
      const cache = new EntityCache(store.schema, store, true, n, time);
      for (const v of values) cache.set('Data', '0', new Map<string, Value>([['n', { kind: 'Int', value: v }]]));
      store.commitBlock({ number: n, hash: '0x' + n.toString(16).padStart(64, '0'), parentHash: '0x' + (n - 1).toString(16).padStart(64, '0'), timestamp: time }, cache.modifications(), []);
    };
    blockAt(1, 100, [2 ** 31 - 1, 1]);
    expect(() => blockAt(2, 3600, [5])).toThrow(expect.objectContaining({ code: 'AGGREGATE_OVERFLOW', message: expect.stringContaining('does not fit in an Int') }));
    expect(store.head()?.number).toBe(1);
    expect(store.list('Data').length).toBe(2);
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
