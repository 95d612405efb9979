/**
 * fast-check fuzzing of the subgraph API's arguments: random `where` filters
 * (every filter key of the type, junk keys, values of every JSON kind, `and`
 * / `or` / child nesting, `_change_block`), `first`, `skip`, `orderBy`,
 * `orderDirection`, `block`, inline or as variables, at the root and on
 * nested collections. Every case answers (data or errors with messages),
 * never throws (which the HTTP layer would answer with a 500), and its work,
 * counted in statements and rows read, stays within a bound fixed by the
 * query's shape. A sample goes over HTTP to check the status codes too.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSubgraphServer, DEFAULT_SUBGRAPH_LIMITS, DeploymentRegistry, executeRequest, ServedDeployment } from '../../server/subgraph-api';
import type { QueryWork } from '../../server/subgraph-api/execute';
import { writeFixture } from './fixture';

let dir: string;
let dep: ServedDeployment;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svr-fuzz-'));
  dep = ServedDeployment.open(writeFixture(dir), 'api-fixture', 'testnet');
});
afterAll(() => {
  dep.close();
  rmSync(dir, { recursive: true, force: true });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A GraphQL literal for a JSON value; strings that look like enum values are sometimes left bare. */
function literal(v: Json, bare = false): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return bare && /^[_A-Za-z][_0-9A-Za-z]*$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => literal(x)).join(', ')}]`;
  return `{ ${Object.entries(v).map(([k, x]) => `${k}: ${literal(x)}`).join(', ')} }`;
}

const ROOTS = ['accounts', 'markets', 'positions', 'deposits', 'liquidations', 'events', 'marketStats'];
const TYPE_OF: Record<string, string> = { accounts: 'Account', markets: 'Market', positions: 'Position', deposits: 'Deposit', liquidations: 'Liquidation', events: 'Event', marketStats: 'MarketStat' };

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 2 ** 31 + 5 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom('', 'a1', 'Alice', '0x01', '0xdead', '%', '_', 'ETH', '12.5', '-1', '1e400', '0x', 'LONG', '999999999999999999999999'),
  fc.string({ maxLength: 12 }),
);
const value: fc.Arbitrary<Json> = fc.oneof({ weight: 4, arbitrary: scalar }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 4 }) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom('number_gte', 'x', 'id'), scalar, { maxKeys: 2 }) });

function filterFor(typeName: string): fc.Arbitrary<Record<string, Json>> {
  const keys = [...dep.api.types.get(typeName)!.filterKeys.keys(), 'nope', 'id__', '_change_block'];
  return fc.letrec<{ filter: Record<string, Json> }>((tie) => ({
    filter: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 3 }),
      fc.record({ _change_block: fc.oneof(fc.constant(null), fc.record({ number_gte: fc.integer({ min: -1, max: 5 }) })) }) as fc.Arbitrary<Record<string, Json>>,
      fc.constant({}),
      fc.record({ and: fc.array(tie('filter'), { maxLength: 3 }) }) as fc.Arbitrary<Record<string, Json>>,
      fc.record({ or: fc.array(tie('filter'), { maxLength: 3 }) }) as fc.Arbitrary<Record<string, Json>>,
    ),
  })).filter;
}

const collectionArgs = (typeName: string) =>
  fc.record(
    {
      where: filterFor(typeName),
      first: fc.oneof(fc.integer({ min: -2, max: 1002 }), fc.constant(2 ** 40)),
      skip: fc.oneof(fc.integer({ min: -2, max: 50 }), fc.constant(2 ** 33)),
      orderBy: fc.constantFrom('id', 'name', 'size', 'account', 'account__name', 'market__symbol', 'nope', 'positions'),
      orderDirection: fc.constantFrom('asc', 'desc', 'sideways'),
      block: fc.oneof(fc.record({ number: fc.integer({ min: -1, max: 5 }) }), fc.record({ hash: fc.constantFrom('0x' + '0'.repeat(63) + '2', '0xzz') }), fc.record({ number_gte: fc.integer({ min: 0, max: 9 }) })),
    },
    { requiredKeys: [] },
  );

interface Case {
  root: string;
  args: Record<string, Json>;
  nested: Record<string, Json> | null;
  asVariable: boolean;
}

const caseArb: fc.Arbitrary<Case> = fc.constantFrom(...ROOTS).chain((root) =>
  fc.record({
    root: fc.constant(root),
    args: collectionArgs(TYPE_OF[root]) as fc.Arbitrary<Record<string, Json>>,
    nested: fc.option(collectionArgs('Position') as fc.Arbitrary<Record<string, Json>>, { nil: null }),
    asVariable: fc.boolean(),
  }),
);

function render(c: Case): { query: string; variables: Record<string, Json> } {
  const typeName = TYPE_OF[c.root];
  const variables: Record<string, Json> = {};
  const args = Object.entries(c.args).map(([k, v]) => {
    if (c.asVariable && k === 'where') {
      variables.w = v;
      return 'where: $w';
    }
    return `${k}: ${literal(v, k === 'orderBy' || k === 'orderDirection')}`;
  });
  // Accounts have positions; other types get a nested account reference.
  const nestedArgs = c.nested ? Object.entries(c.nested).filter(([k]) => k !== 'block').map(([k, v]) => `${k}: ${literal(v, k === 'orderBy' || k === 'orderDirection')}`) : [];
  const inner = typeName === 'Account' ? `positions${nestedArgs.length ? `(${nestedArgs.join(', ')})` : ''} { id size }` : '__typename';
  const head = c.asVariable && 'w' in variables ? `query Q($w: ${typeName}_filter)` : 'query Q';
  return { query: `${head} { ${c.root}${args.length ? `(${args.join(', ')})` : ''} { id ${inner} } _meta { block { number } } }`, variables };
}

test('random filters and arguments: always an answer, never a throw, work bounded by the query shape', () => {
  let answered = 0;
  let withData = 0;
  fc.assert(
    fc.property(caseArb, (c) => {
      const { query, variables } = render(c);
      const work: QueryWork = { statements: 0, rows: 0 };
      const result = executeRequest(dep, { query, variables }, DEFAULT_SUBGRAPH_LIMITS, work);
      expect(result.data !== undefined || result.errors !== undefined).toBe(true);
      for (const e of result.errors ?? []) expect(typeof e.message).toBe('string');
      // Two levels of collections, each one statement per concrete type (Event has two).
      expect(work.statements).toBeLessThanOrEqual(4);
      // The fixture holds a few dozen entity versions; a level reads each at most once per parent.
      expect(work.rows).toBeLessThanOrEqual(200);
      answered++;
      if (result.data && !result.errors) withData++;
    }),
    { numRuns: 1500, seed: 20261204 },
  );
  expect(answered).toBe(1500);
  // The generator reaches real reads, not only errors.
  expect(withData).toBeGreaterThan(20);
});

test('a sample over HTTP answers no 5xx', async () => {
  const registry = DeploymentRegistry.scan(dir);
  const server: Server = createSubgraphServer(registry);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/subgraphs/name/api-fixture/testnet`;
  try {
    const cases = fc.sample(caseArb, { numRuns: 150, seed: 7 });
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(render(c)) });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.json();
    }
    expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
  } finally {
    await new Promise((ok) => server.close(ok));
    registry.close();
  }
});
