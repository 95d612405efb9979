/**
 * graph-node's runner test aggregation_current_bucket (tests/tests/runner_tests.rs,
 * tests/runner-tests/aggregation-current-bucket), ported: its schema, its
 * blocks and their times, its test events (as block handler commands in a
 * graph-cli-compiled mapping), its three queries and graph-node's answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, storePath } from '../../server/indexer/deployment';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'aggregation-current-bucket');
/** The test's block times: genesis at 0; 3601, 3660, 3720 in hour 1; 7201 (the hour-1 rollup) and 7261 in hour 2. */
const TIMES = [0, 3601, 3660, 3720, 7201, 7261];
const hash = (n: number) => '0x' + (n + 1).toString(16).padStart(64, '0');

let dataDir: string;
let served: ServedDeployment;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'svr-gn-agg-'));
  const d = new Deployment({ manifestPath: buildSubgraph({ subgraphDir: FIXTURE, sourceRoot: FIXTURE, network: 'mainnet' }), subgraph: 'aggregation-current-bucket', dataDir });
  TIMES.forEach((timestamp, n) => {
    d.processBlock({ header: { number: BigInt(n), hash: hash(n), parentHash: n === 0 ? '0x' + '00'.repeat(32) : hash(n - 1), timestamp: BigInt(timestamp) }, logs: [] });
  });
  d.close();
  served = ServedDeployment.open(storePath(dataDir, 'aggregation-current-bucket', 'mainnet'), 'aggregation-current-bucket', 'mainnet');
}, 600_000);

afterAll(() => {
  served?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const run = (query: string) => executeRequest(served, { query });

test('aggregation_current_bucket: root query with current: include', () => {
  expect(run(`{ stats_collection(interval: "hour", current: include, orderBy: timestamp, orderDirection: asc) { token { id } sum } }`)).toEqual({
    data: {
      stats_collection: [
        { token: { id: '0xaa' }, sum: '40' },
        { token: { id: '0xbb' }, sum: '60' },
        { token: { id: '0xaa' }, sum: '12' },
        { token: { id: '0xbb' }, sum: '40' },
      ],
    },
  });
});

test('aggregation_current_bucket: root query with current: exclude', () => {
  expect(run(`{ stats_collection(interval: "hour", current: exclude, orderBy: timestamp, orderDirection: asc) { token { id } sum } }`)).toEqual({
    data: {
      stats_collection: [
        { token: { id: '0xaa' }, sum: '40' },
        { token: { id: '0xbb' }, sum: '60' },
      ],
    },
  });
});

test('aggregation_current_bucket: nested query with current: include', () => {
  expect(run(`{ tokens(orderBy: id) { id stats(interval: "hour", current: include, orderBy: timestamp, orderDirection: asc) { sum } } }`)).toEqual({
    data: {
      tokens: [
        { id: '0xaa', stats: [{ sum: '40' }, { sum: '12' }] },
        { id: '0xbb', stats: [{ sum: '60' }, { sum: '40' }] },
      ],
    },
  });
});
