/**
 * Timeseries and aggregations beyond query.rs's simple_aggregation (ported in
 * graph-node-queries.test.ts): a graph-cli-compiled mapping saves trade points
 * over blocks that cross hour and day boundaries; the rollups, the bucket in
 * progress (`current: include`), filters, ordering, time travel and reverts
 * are checked against answers worked out by hand from graph-node's semantics
 * (docs/aggregations.md, store/postgres/src/relational/rollup.rs).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, storePath } from '../../server/indexer/deployment';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'aggregations');

/** Day 10 of the epoch, midnight: an hour and a day boundary. */
const T0 = 864_000;
/** Block times: 1 and 2 in hour 0, 3 in hour 1, 4 in hour 2, 5 and 6 in hour 24 (the next day). */
const TIMES: Record<number, number> = { 1: T0 + 100, 2: T0 + 1800, 3: T0 + 3610, 4: T0 + 7205, 5: T0 + 86_401, 6: T0 + 86_460 };
const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');
/** graph-node's generated ids: the block number in the upper 32 bits, the block's sequence below. */
const pointId = (block: number, seq: number) => ((BigInt(block) << 32n) | BigInt(seq)).toString();
const micros = (secs: number) => (BigInt(secs) * 1_000_000n).toString();

const A = '0x0a';
const B = '0x0b';
const FIELDS = 'id timestamp token { id } volume trades totalTrades totalVolume minSize maxSize firstSize lastSize lowestSize highestSize firstEverSize';
const stats = (
  id: string,
  bucket: number,
  token: string,
  volume: string,
  trades: number,
  totalTrades: number,
  totalVolume: string,
  sizes: [number, number, number, number],
  /** Cumulative min, max and first of the sizes. */
  ever: [number, number, number],
) => ({
  id,
  timestamp: micros(bucket),
  token: { id: token },
  volume,
  trades: String(trades),
  totalTrades: String(totalTrades),
  totalVolume,
  minSize: String(sizes[0]),
  maxSize: String(sizes[1]),
  firstSize: String(sizes[2]),
  lastSize: String(sizes[3]),
  lowestSize: String(ever[0]),
  highestSize: String(ever[1]),
  firstEverSize: String(ever[2]),
});

// Hour 0: A trades 1.5 (size 10) at block 1 and 0.5 (20) at block 2; B 2.25 (5) at block 1.
const A_H0 = stats(pointId(2, 0), T0, A, '2', 2, 2, '2', [10, 20, 10, 20], [10, 20, 10]);
const B_H0 = stats(pointId(1, 1), T0, B, '2.25', 1, 1, '2.25', [5, 5, 5, 5], [5, 5, 5]);
// Hour 1: A trades 3 (7) at block 3; cumulative: 2 + 1 trades, 2 + 3 volume.
const A_H1 = stats(pointId(3, 0), T0 + 3600, A, '3', 1, 3, '5', [7, 7, 7, 7], [7, 20, 10]);
// Hour 24, in progress at block 6: B 1.75 (8) at block 5, A 0.25 (1) at block 6.
const B_H24 = stats(pointId(5, 0), T0 + 86_400, B, '1.75', 1, 2, '4', [8, 8, 8, 8], [5, 8, 5]);
const A_H24 = stats(pointId(6, 0), T0 + 86_400, A, '0.25', 1, 4, '5.25', [1, 1, 1, 1], [1, 20, 10]);
// Day 0, rolled up at block 5: A's three trades, B's one.
const A_D0 = stats(pointId(3, 0), T0, A, '5', 3, 3, '5', [7, 20, 10, 7], [7, 20, 10]);
const B_D0 = stats(pointId(1, 1), T0, B, '2.25', 1, 1, '2.25', [5, 5, 5, 5], [5, 5, 5]);
// Day 1, in progress: the same points as hour 24.
const B_D1 = { ...B_H24 };
const A_D1 = { ...A_H24 };

let dataDir: string;
let deployment: Deployment;
let served: ServedDeployment;

function processUpTo(last: number, from = 1): void {
  for (let n = from; n <= last; n++) {
    deployment.processBlock({ header: { number: BigInt(n), hash: hash(n), parentHash: hash(n - 1), timestamp: BigInt(TIMES[n]) }, logs: [] });
  }
  deployment.store.flush();
}

function query(text: string): unknown {
  const r = executeRequest(served, { query: text });
  return r.errors ? { errors: r.errors } : r.data;
}

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-agg-'));
  deployment = new Deployment({ manifestPath: buildSubgraph({ subgraphDir: FIXTURE, sourceRoot: FIXTURE, network: 'mainnet' }), subgraph: 'aggregations', dataDir });
  processUpTo(6);
  served = ServedDeployment.open(storePath(dataDir, 'aggregations', 'mainnet'), 'aggregations', 'mainnet');
}, 600_000);

afterAll(() => {
  served?.close();
  deployment?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('aggregations', () => {
  test('rolled-up hours, newest first (timestamp, then id, descending); points get block times whatever the mapping set', () => {
    expect(query(`{ tokenStats_collection(interval: hour) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_H1, A_H0, B_H0] });
  });

  test('current: include adds the hour in progress, cumulative aggregates continuing from the last rolled-up row', () => {
    expect(query(`{ tokenStats_collection(interval: hour, current: include) { ${FIELDS} } }`)).toEqual({
      tokenStats_collection: [A_H24, B_H24, A_H1, A_H0, B_H0],
    });
    expect(query(`{ tokenStats_collection(interval: hour, current: exclude) { id } }`)).toEqual({ tokenStats_collection: [A_H1, A_H0, B_H0].map(({ id }) => ({ id })) });
  });

  test('days: rolled up when block 5 entered day 1; day 1 is in progress', () => {
    expect(query(`{ tokenStats_collection(interval: day) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_D0, B_D0] });
    expect(query(`{ tokenStats_collection(interval: day, current: include) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_D1, B_D1, A_D0, B_D0] });
  });

  test('where on a dimension and on timestamp (microseconds), for rolled-up and current rows', () => {
    expect(query(`{ tokenStats_collection(interval: hour, current: include, where: { token: "${B}" }) { id } }`)).toEqual({
      tokenStats_collection: [{ id: B_H24.id }, { id: B_H0.id }],
    });
    expect(query(`{ tokenStats_collection(interval: hour, where: { timestamp_gte: "${micros(T0 + 3600)}" }) { id } }`)).toEqual({ tokenStats_collection: [{ id: A_H1.id }] });
    expect(query(`{ tokenStats_collection(interval: hour, where: { timestamp_lt: "${micros(T0 + 3600)}", id_in: ["${A_H0.id}"] }) { id } }`)).toEqual({
      tokenStats_collection: [{ id: A_H0.id }],
    });
  });

  test("the points themselves are served as graph-node serves timeseries (object types), ids and block times the node's", () => {
    expect(query(`{ trades(orderBy: id, first: 3) { id timestamp token { symbol } amount size } }`)).toEqual({
      trades: [
        { id: pointId(1, 0), timestamp: micros(TIMES[1]), token: { symbol: 'ZED' }, amount: '1.5', size: '10' },
        { id: pointId(1, 1), timestamp: micros(TIMES[1]), token: { symbol: 'ABE' }, amount: '2.25', size: '5' },
        { id: pointId(2, 0), timestamp: micros(TIMES[2]), token: { symbol: 'ZED' }, amount: '0.5', size: '20' },
      ],
    });
  });

  test('a reference dimension: its entity, a child filter, ordering by its field (current rows included)', () => {
    expect(query(`{ tokenStats_collection(interval: hour, current: include, where: { token_: { symbol: "ABE" } }) { id token { symbol } } }`)).toEqual({
      tokenStats_collection: [
        { id: B_H24.id, token: { symbol: 'ABE' } },
        { id: B_H0.id, token: { symbol: 'ABE' } },
      ],
    });
    // By symbol ascending, then id ascending: B (ABE) rows before A (ZED) rows.
    expect(query(`{ tokenStats_collection(interval: hour, current: include, orderBy: token__symbol, orderDirection: asc) { id } }`)).toEqual({
      tokenStats_collection: [B_H0, B_H24, A_H0, A_H1, A_H24].map(({ id }) => ({ id })),
    });
  });

  test("a nested aggregation field (@derivedFrom a dimension) takes the root field's arguments", () => {
    expect(
      query(`{ tokens(orderBy: symbol) { symbol hourly(interval: hour, current: include, first: 2) { id totalVolume } daily: hourly(interval: day, where: { timestamp_lt: "${micros(T0 + 1)}" }) { id } } }`),
    ).toEqual({
      tokens: [
        { symbol: 'ABE', hourly: [{ id: B_H24.id, totalVolume: '4' }, { id: B_H0.id, totalVolume: '2.25' }], daily: [{ id: B_D0.id }] },
        { symbol: 'ZED', hourly: [{ id: A_H24.id, totalVolume: '5.25' }, { id: A_H1.id, totalVolume: '5' }], daily: [{ id: A_D0.id }] },
      ],
    });
    expect(query(`{ tokens { hourly { id } } }`)).toMatchObject({ errors: [{ message: expect.stringContaining('interval') }] });
  });

  test('orderBy an aggregate, first and skip, over rolled-up and current rows together', () => {
    // Volumes: A_H24 0.25, B_H24 1.75, A_H0 2, B_H0 2.25, A_H1 3.
    expect(query(`{ tokenStats_collection(interval: hour, current: include, orderBy: volume, orderDirection: asc, first: 2, skip: 1) { id volume } }`)).toEqual({
      tokenStats_collection: [
        { id: B_H24.id, volume: '1.75' },
        { id: A_H0.id, volume: '2' },
      ],
    });
    expect(query(`{ tokenStats_collection(interval: hour, orderBy: timestamp, orderDirection: asc) { id } }`)).toEqual({
      tokenStats_collection: [B_H0, A_H0, A_H1].map(({ id }) => ({ id })),
    });
  });

  test('an aggregation without dimensions; an interval it does not have is a GraphQL error', () => {
    // sizeSum is a BigDecimal sum of the BigInt sizes; firstToken the token of the bucket's first point.
    expect(query(`{ totals_collection(interval: hour, current: include) { id timestamp trades sizeSum firstToken { symbol } } }`)).toEqual({
      totals_collection: [
        { id: pointId(6, 0), timestamp: micros(T0 + 86_400), trades: '2', sizeSum: '9', firstToken: { symbol: 'ABE' } },
        { id: pointId(3, 0), timestamp: micros(T0 + 3600), trades: '1', sizeSum: '7', firstToken: { symbol: 'ZED' } },
        { id: pointId(2, 0), timestamp: micros(T0), trades: '3', sizeSum: '35', firstToken: { symbol: 'ZED' } },
      ],
    });
    expect(query(`{ totals_collection(interval: day) { id } }`)).toEqual({
      errors: [{ message: 'aggregation `Totals` has no `day` interval; its intervals are hour' }],
    });
    expect(query(`{ totals_collection { id } }`)).toMatchObject({ errors: [{ message: expect.stringContaining('interval') }] });
    // graph-node coerces a string naming an enum value to it (`interval: "hour"`); others are refused.
    expect(query(`{ totals_collection(interval: "hour", orderDirection: "asc") { id } }`)).toEqual({
      totals_collection: [pointId(2, 0), pointId(3, 0)].map((id) => ({ id })),
    });
    expect(query(`{ totals_collection(interval: "week") { id } }`)).toEqual({
      errors: [{ message: 'Enum "Aggregation_interval" cannot represent non-enum value: "week".' }],
    });
  });

  test('the work of a query: one statement without the current bucket; with it, the last rollup, the points and a previous row per cumulative group', () => {
    const work = (text: string) => {
      const w = { statements: 0, rows: 0 };
      executeRequest(served, { query: text }, undefined, w);
      return w;
    };
    expect(work(`{ tokenStats_collection(interval: hour) { id } }`)).toEqual({ statements: 1, rows: 3 });
    expect(work(`{ tokenStats_collection(interval: hour, current: include) { id } }`)).toEqual({ statements: 1 + 2 + 2, rows: 5 });
    expect(work(`{ totals_collection(interval: hour, current: include) { id } }`)).toEqual({ statements: 1 + 2, rows: 3 });
  });

  test('time travel: at block 3 only hour 0 is rolled up', () => {
    expect(query(`{ tokenStats_collection(interval: hour, block: { number: 3 }) { id } }`)).toEqual({ tokenStats_collection: [{ id: A_H0.id }, { id: B_H0.id }] });
    expect(query(`{ tokenStats_collection(interval: hour, block: { number: 2 }) { id } }`)).toEqual({ tokenStats_collection: [] });
    // The bucket in progress at block 3 is hour 1, holding block 3's point.
    expect(query(`{ tokenStats_collection(interval: hour, current: include, block: { number: 3 }) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_H1, A_H0, B_H0] });
  });

  test('a revert removes the rollups its blocks wrote; the undone hour is then the bucket in progress', () => {
    deployment.revertTo(3);
    expect(query(`{ tokenStats_collection(interval: day, current: include) { id } }`)).toEqual({ tokenStats_collection: [{ id: A_H1.id }, { id: B_H0.id }] });
    expect(query(`{ tokenStats_collection(interval: hour) { id } }`)).toEqual({ tokenStats_collection: [{ id: A_H0.id }, { id: B_H0.id }] });
    expect(query(`{ tokenStats_collection(interval: hour, current: include) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_H1, A_H0, B_H0] });
    // Indexing the blocks again writes the same rollups.
    processUpTo(6, 4);
    expect(query(`{ tokenStats_collection(interval: day, current: include) { ${FIELDS} } }`)).toEqual({ tokenStats_collection: [A_D1, B_D1, A_D0, B_D0] });
  });
});
