/**
 * graph-node's query API over the api-fixture deployment (see fixture.ts for
 * the data, block by block). Each case names where its expected behaviour
 * comes from: a test in graph-node's store/test-store/tests/graphql/query.rs
 * ("query.rs <name>"), graph-node's source, or The Graph's GraphQL API
 * documentation (https://thegraph.com/docs/en/subgraphs/querying/graphql-api/, "docs").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';
import { hash, writeFixture } from './fixture';

interface Case {
  name: string;
  source: string;
  query: string;
  variables?: Record<string, unknown>;
  expected: unknown;
}

const H = (n: number) => hash(n);

const CASES: Case[] = [
  {
    name: 'single entity by id with every scalar type serialized as graph-node does',
    source: 'query.rs can_query_one_to_one_relationship; graph/src/data/store/mod.rs Value -> r::Value',
    query: '{ position(id: "p1") { id size collateral leverage open note side codes account { id score createdAt } market { id symbol } } }',
    expected: {
      data: {
        position: {
          id: 'p1',
          size: '150',
          collateral: '12',
          leverage: 2,
          open: true,
          note: 'first',
          side: 'LONG',
          codes: ['0xdead', '0xbeef'],
          account: { id: 'a1', score: '10', createdAt: '1710837304040956' },
          market: { id: '0x01', symbol: 'ETH' },
        },
      },
    },
  },
  {
    name: 'missing entity is null',
    source: 'docs "Fetch a single entity"; graph-node resolve_object returns null for no row',
    query: '{ position(id: "nope") { id } }',
    expected: { data: { position: null } },
  },
  {
    name: 'collection defaults: order by id ascending',
    source: 'docs "Sorting" (default order by id); relational_queries.rs SortKey::Id',
    query: '{ positions { id } }',
    expected: { data: { positions: [{ id: 'p1' }, { id: 'p3' }] } },
  },
  {
    name: 'BigInt and BigDecimal as decimal strings, never exponent form',
    source: 'docs "BigInt"/"BigDecimal" scalars; graph-node Value::BigDecimal(d) => String(d.to_string())',
    query: '{ positions { size collateral } }',
    expected: { data: { positions: [{ size: '150', collateral: '12' }, { size: '1000000000000000000000', collateral: '0.001' }] } },
  },
  {
    name: 'orderBy a String field descending',
    source: 'docs "Sorting"; query.rs can_query_with_sorting_by_child_entity (direction handling)',
    query: '{ accounts(orderBy: name, orderDirection: desc) { name } }',
    expected: { data: { accounts: [{ name: 'Carol%' }, { name: 'Bob' }, { name: 'Alice' }] } },
  },
  {
    name: 'orderBy BigInt is numeric, not textual',
    source: 'docs "Sorting"; relational_queries.rs sorts on the numeric column',
    query: '{ positions(orderBy: size, orderDirection: desc, block: {number: 1}) { id } }',
    expected: { data: { positions: [{ id: 'p3' }, { id: 'p1' }, { id: 'p2' }] } },
  },
  {
    name: 'orderBy parent__field (child entity field), descending',
    source: 'query.rs can_query_with_sorting_by_child_entity',
    query: '{ positions(orderBy: account__name, orderDirection: desc) { id } }',
    expected: { data: { positions: [{ id: 'p3' }, { id: 'p1' }] } },
  },
  {
    name: 'orderBy a derived single child field, NULLs last ascending',
    source: 'query.rs can_query_with_sorting_by_derived_child_entity; Postgres NULLS LAST default',
    query: '{ markets(orderBy: stat__volume) { symbol } }',
    expected: { data: { markets: [{ symbol: 'ETH' }, { symbol: 'BTC' }, { symbol: 'ARB' }] } },
  },
  {
    name: 'first and skip',
    source: 'docs "Pagination"',
    query: '{ positions(first: 1, skip: 1, block: {number: 1}) { id } }',
    expected: { data: { positions: [{ id: 'p2' }] } },
  },
  {
    name: 'first over 1000 is an error',
    source: 'graphql/src/store/query.rs build_range (RangeArgumentsError); docs "Pagination"',
    query: '{ positions(first: 1001) { id } }',
    expected: { errors: [{ message: 'The `first` argument must be between 0 and 1000, but is 1001' }] },
  },
  {
    name: 'negative skip is an error',
    source: 'graphql/src/store/query.rs build_range',
    query: '{ positions(skip: -1) { id } }',
    expected: { errors: [{ message: 'The `skip` argument must be between 0 and 4294967295, but is -1' }] },
  },
  {
    name: 'unknown field fails validation',
    source: 'query.rs leaf_selection_mismatch ("Cannot query field \\"wat\\" on type ..."); graph/src/data/query/error.rs serializes ValidationError without locations',
    query: '{ positions { id wat } }',
    expected: { errors: [{ message: 'Cannot query field "wat" on type "Position".' }] },
  },
  {
    name: 'where: equality, _not, _gt, _lt, _gte, _lte, _in, _not_in',
    source: 'docs "Filtering"; query.rs can_compare_id',
    query: `{
      eq: positions(where: {leverage: 2}) { id }
      not: positions(where: {leverage_not: 2}) { id }
      gt: positions(where: {size_gt: "150"}) { id }
      lt: positions(where: {collateral_lt: "1"}) { id }
      gte: positions(where: {size_gte: "150"}) { id }
      lte: positions(where: {leverage_lte: 2}) { id }
      in: positions(where: {id_in: ["p3", "p9"]}) { id }
      notIn: positions(where: {id_not_in: ["p3"]}) { id }
      idGt: accounts(where: {id_gt: "a1"}) { id }
    }`,
    expected: {
      data: {
        eq: [{ id: 'p1' }],
        not: [{ id: 'p3' }],
        gt: [{ id: 'p3' }],
        lt: [{ id: 'p3' }],
        gte: [{ id: 'p1' }, { id: 'p3' }],
        lte: [{ id: 'p1' }],
        in: [{ id: 'p3' }],
        notIn: [{ id: 'p1' }],
        idGt: [{ id: 'a2' }, { id: 'a3' }],
      },
    },
  },
  {
    name: 'null comparisons become IS [NOT] NULL',
    source: 'relational_queries.rs Filter::cmp ("Deal with nulls first")',
    query: '{ a: positions(where: {codes: null}) { id } b: positions(where: {note_not: null}) { id } }',
    expected: { data: { a: [{ id: 'p3' }], b: [{ id: 'p1' }, { id: 'p3' }] } },
  },
  {
    name: 'empty _in matches nothing',
    source: 'graphql/src/store/query.rs build_query_handles_empty_in_list',
    query: '{ positions(where: {id_in: []}) { id } }',
    expected: { data: { positions: [] } },
  },
  {
    name: 'String filters: _contains, _contains_nocase, _not_contains, _starts_with(_nocase), _ends_with(_nocase), _not_*',
    source: 'docs "Filtering" (String suffixes); relational_queries.rs contains / starts_or_ends_with',
    query: `{
      c: accounts(where: {name_contains: "o"}) { id }
      cn: accounts(where: {name_contains_nocase: "O"}) { id }
      nc: accounts(where: {name_not_contains: "o"}) { id }
      ncn: accounts(where: {name_not_contains_nocase: "A"}) { id }
      sw: accounts(where: {name_starts_with: "b"}) { id }
      swn: accounts(where: {name_starts_with_nocase: "b"}) { id }
      nsw: accounts(where: {name_not_starts_with: "B"}) { id }
      ew: accounts(where: {name_ends_with: "ce"}) { id }
      ewn: accounts(where: {name_ends_with_nocase: "CE"}) { id }
      new: accounts(where: {name_not_ends_with_nocase: "B"}) { id }
    }`,
    expected: {
      data: {
        c: [{ id: 'a2' }, { id: 'a3' }],
        cn: [{ id: 'a2' }, { id: 'a3' }],
        nc: [{ id: 'a1' }],
        ncn: [{ id: 'a2' }],
        sw: [],
        swn: [{ id: 'a2' }],
        nsw: [{ id: 'a1' }, { id: 'a3' }],
        ew: [{ id: 'a1' }],
        ewn: [{ id: 'a1' }],
        new: [{ id: 'a1' }, { id: 'a3' }],
      },
    },
  },
  {
    name: '_contains keeps a value that starts or ends with % as the LIKE pattern',
    source: 'relational_queries.rs contains (pattern used as is when it starts or ends with %)',
    query: '{ accounts(where: {name_contains: "Car%"}) { id } }',
    expected: { data: { accounts: [{ id: 'a3' }] } },
  },
  {
    name: 'String ordering comparisons',
    source: 'api.rs field_filter_ops (String has _gt/_lt); C collation',
    query: '{ accounts(where: {name_gt: "Bob"}) { id } }',
    expected: { data: { accounts: [{ id: 'a3' }] } },
  },
  {
    name: 'Bytes filters: equality, _contains, _gt, _in on a Bytes id',
    source: 'api.rs field_filter_ops Object("Bytes"); relational_queries.rs contains on bytes (position(...) > 0)',
    query: `{
      eq: markets(where: {id: "0x02"}) { symbol }
      c: markets(where: {id_contains: "0x0b"}) { symbol }
      nc: markets(where: {id_not_contains: "0x0b"}) { symbol }
      gt: markets(where: {id_gt: "0x01"}) { symbol }
      in: markets(where: {id_in: ["0x01", "0x0a0b"]}) { symbol }
      one: market(id: "0x0A0B") { symbol }
    }`,
    expected: {
      data: {
        eq: [{ symbol: 'BTC' }],
        c: [{ symbol: 'ARB' }],
        nc: [{ symbol: 'ETH' }, { symbol: 'BTC' }],
        gt: [{ symbol: 'BTC' }, { symbol: 'ARB' }],
        in: [{ symbol: 'ETH' }, { symbol: 'ARB' }],
        one: { symbol: 'ARB' },
      },
    },
  },
  {
    name: 'Boolean, enum, Int8 and Timestamp filters',
    source: 'query.rs can_filter_by_timestamp; api.rs field_enum_filter_input_values',
    query: `{
      open: positions(where: {open: false}) { id }
      side: positions(where: {side_in: [LONG]}) { id }
      score: accounts(where: {score_lt: "50"}) { id }
      ts: accounts(where: {createdAt_gt: "1710837304040956"}) { id }
    }`,
    expected: {
      data: {
        open: [{ id: 'p3' }],
        side: [{ id: 'p1' }, { id: 'p3' }],
        score: [{ id: 'a1' }, { id: 'a3' }],
        ts: [{ id: 'a2' }, { id: 'a3' }],
      },
    },
  },
  {
    name: 'list filters: _contains (all of), _not_contains (none of), _contains_nocase, equality',
    source: 'query.rs can_query_array_contains_nocase; relational_queries.rs contains on lists (@>, not &&)',
    query: `{
      c: accounts(where: {tags_contains: ["early"]}) { id }
      c2: accounts(where: {tags_contains: ["early", "whale"]}) { id }
      nc: accounts(where: {tags_not_contains: ["whale"]}) { id }
      cn: accounts(where: {tags_contains_nocase: ["WHALE"]}) { id }
      eq: accounts(where: {tags: ["early"]}) { id }
      refs: accounts(where: {markets_contains: ["0x02"]}) { id }
      bytes: positions(where: {codes_contains: ["0xbeef"]}) { id }
    }`,
    expected: {
      data: {
        c: [{ id: 'a1' }, { id: 'a2' }],
        c2: [{ id: 'a1' }],
        nc: [{ id: 'a2' }, { id: 'a3' }],
        cn: [{ id: 'a1' }],
        eq: [{ id: 'a2' }],
        refs: [{ id: 'a1' }],
        bytes: [{ id: 'p1' }],
      },
    },
  },
  {
    name: 'filter by reference id',
    source: 'query.rs can_filter_by_relationship_fields',
    query: '{ positions(where: {account: "a2"}) { id } m: positions(where: {market: "0x01"}) { id } }',
    expected: { data: { positions: [{ id: 'p3' }], m: [{ id: 'p1' }, { id: 'p3' }] } },
  },
  {
    name: 'nested child filters on a named field, a list field, a derived list and a derived single field',
    source:
      'query.rs can_query_with_child_filter_on_named_type_field, can_query_with_child_filter_on_list_type_field, can_query_with_child_filter_on_derived_list_type_field, can_query_with_child_filter_on_derived_named_type_field',
    query: `{
      named: positions(where: {account_: {name: "Alice"}}) { id }
      list: accounts(where: {markets_: {symbol: "BTC"}}) { id }
      derivedList: accounts(where: {positions_: {open: false}}) { id }
      derivedOne: markets(where: {stat_: {volume_gt: "100"}}) { symbol }
      manyToMany: markets(where: {traders_: {name_starts_with: "C"}}) { symbol }
    }`,
    expected: {
      data: {
        named: [{ id: 'p1' }],
        list: [{ id: 'a1' }],
        derivedList: [{ id: 'a2' }],
        derivedOne: [{ symbol: 'ETH' }],
        manyToMany: [{ symbol: 'ARB' }],
      },
    },
  },
  {
    name: 'child filter through an interface-typed derived list',
    source: 'query.rs can_query_with_child_filter_on_derived_interface_list_field',
    query: '{ accounts(where: {events_: {block: "2"}}) { id } }',
    expected: { data: { accounts: [{ id: 'a2' }] } },
  },
  {
    name: 'child filters do not nest',
    source: 'relational_queries.rs ChildFilterNestingNotSupportedError',
    query: '{ positions(where: {account_: {markets_: {symbol: "BTC"}}}) { id } }',
    expected: { errors: [{ message: 'Child filter nesting not supported by value `markets`: `{"symbol":"BTC"}`' }] },
  },
  {
    name: 'or filter',
    source: 'query.rs can_query_with_or_filter',
    query: '{ positions(where: {or: [{size_gt: "1000"}, {note: "first"}]}) { id } }',
    expected: { data: { positions: [{ id: 'p1' }, { id: 'p3' }] } },
  },
  {
    name: 'and filter, and and beside or',
    source: 'query.rs can_query_with_and_filter, can_query_with_or_explicit_and_filter',
    query: `{
      and: positions(where: {and: [{open: true}, {leverage: 2}]}) { id }
      both: positions(where: {and: [{size_gt: "0"}], or: [{open: true}]}) { id }
    }`,
    expected: { data: { and: [{ id: 'p1' }], both: [{ id: 'p1' }] } },
  },
  {
    name: 'or beside a column filter is an error',
    source: 'graphql/src/store/query.rs build_query_detects_invalid_or_filter_structure',
    query: '{ positions(where: {open: true, or: [{leverage: 2}]}) { id } }',
    expected: {
      errors: [
        {
          message:
            "Cannot mix column filters with 'or' operator at the same level. Found column filter(s) 'open' alongside 'or' operator.\n\n" +
            "Instead of:\nwhere: { 'open', or: [...] }\n\nUse:\nwhere: { or: [{ 'open', ... }, { 'open', ... }] }",
        },
      ],
    },
  },
  {
    name: '_change_block keeps entities changed at or after a block',
    source: 'graphql/src/store/query.rs build_query_yields_block_change_gte_filter; docs "Example for block filtering"',
    query: '{ positions(where: {_change_block: {number_gte: 2}}) { id } a: accounts(where: {_change_block: {number_gte: 3}}) { id } }',
    expected: { data: { positions: [{ id: 'p1' }], a: [{ id: 'a3' }] } },
  },
  {
    name: 'time travel by block number: earlier versions and removed entities',
    source: 'query.rs query_at_block, check_musicians_at; docs "Time-travel queries"',
    query: `{
      b1: positions(block: {number: 1}) { id size collateral }
      p2: position(id: "p2", block: {number: 2}) { id }
      gone: position(id: "p2") { id }
      a2: account(id: "a2", block: {number: 1}) { name }
    }`,
    expected: {
      data: {
        b1: [
          { id: 'p1', size: '100', collateral: '10.5' },
          { id: 'p2', size: '-50', collateral: '3' },
          { id: 'p3', size: '1000000000000000000000', collateral: '0.001' },
        ],
        p2: { id: 'p2' },
        gone: null,
        a2: { name: 'bob' },
      },
    },
  },
  {
    name: 'time travel by block hash, and number_gte',
    source: 'query.rs query_at_block (hash and number_gte constraints)',
    query: `{ h: positions(block: {hash: "${H(1)}"}) { id size } g: positions(block: {number_gte: 3}) { id } }`,
    expected: { data: { h: [{ id: 'p1', size: '100' }, { id: 'p2', size: '-50' }, { id: 'p3', size: '1000000000000000000000' }], g: [{ id: 'p1' }, { id: 'p3' }] } },
  },
  {
    name: 'time travel applies to nested selections',
    source: 'query.rs query_at_block (nested fields resolved at the same block)',
    query: '{ account(id: "a1", block: {number: 2}) { positions { id size } } }',
    expected: { data: { account: { positions: [{ id: 'p1', size: '150' }, { id: 'p2', size: '-50' }] } } },
  },
  {
    name: 'a block not yet indexed is an error',
    source: 'graphql/src/store/resolver.rs locate_blocks; graph/src/data/subgraph/mod.rs block_queryable',
    query: '{ positions(block: {number: 99}) { id } }',
    expected: {
      errors: [
        {
          message:
            'Failed to decode `block.number` value: `subgraph QmApiFixture has only indexed up to block number 3 and data for block number 99 is therefore not yet available`',
        },
      ],
    },
  },
  {
    name: 'number_gte above the head is an error',
    source: 'graphql/src/store/resolver.rs locate_blocks (BlockConstraint::Min)',
    query: '{ positions(block: {number_gte: 4}) { id } }',
    expected: {
      errors: [
        {
          message:
            'Failed to decode `block.number_gte` value: `subgraph QmApiFixture has only indexed up to block number 3 and data for block number 4 is therefore not yet available`',
        },
      ],
    },
  },
  {
    name: 'an unknown block hash is an error',
    source: 'graphql/src/store/resolver.rs locate_blocks (BlockConstraint::Hash)',
    query: `{ positions(block: {hash: "${H(77)}"}) { id } }`,
    expected: { errors: [{ message: 'Failed to decode `block.hash` value: `no block with that hash found`' }] },
  },
  {
    name: 'one-to-many both directions, derived lists with their own order/filter/first, and derived single fields',
    source: 'query.rs can_query_one_to_many_relationships_in_both_directions, can_query_many_to_many_relationship',
    query: `{
      markets {
        symbol
        traders { id }
        positions(where: {open: true}) { id }
        stat { volume }
      }
      accounts(first: 2) { id positions(orderBy: size, orderDirection: desc, first: 1) { id } markets { symbol } }
    }`,
    expected: {
      data: {
        markets: [
          { symbol: 'ETH', traders: [{ id: 'a1' }, { id: 'a2' }], positions: [{ id: 'p1' }], stat: { volume: '123.45' } },
          { symbol: 'BTC', traders: [{ id: 'a1' }], positions: [], stat: null },
          { symbol: 'ARB', traders: [{ id: 'a3' }], positions: [], stat: null },
        ],
        accounts: [
          { id: 'a1', positions: [{ id: 'p1' }], markets: [{ symbol: 'ETH' }, { symbol: 'BTC' }] },
          { id: 'a2', positions: [{ id: 'p3' }], markets: [{ symbol: 'ETH' }] },
        ],
      },
    },
  },
  {
    name: 'interfaces: collection over implementers, __typename, inline fragments, order and paging across types',
    source: 'query.rs can_query_interface_with_sorting_by_child_entity, root_fragments_are_expanded; docs "Interfaces"',
    query: `{
      events(orderBy: block, orderDirection: desc) { __typename id block ... on Deposit { amount } ... on Liquidation { position { id } } }
      paged: events(first: 1, skip: 1) { id }
      one: event(id: "l1") { id account { name } }
      account(id: "a2") { events { id } }
    }`,
    expected: {
      data: {
        events: [
          { __typename: 'Liquidation', id: 'l1', block: '2', position: { id: 'p3' } },
          { __typename: 'Deposit', id: 'd2', block: '1', amount: '7' },
          { __typename: 'Deposit', id: 'd1', block: '1', amount: '5' },
        ],
        paged: [{ id: 'd2' }],
        one: { id: 'l1', account: { name: 'Bob' } },
        account: { events: [{ id: 'd2' }, { id: 'l1' }] },
      },
    },
  },
  {
    name: 'variables, fragments, aliases, @skip/@include, __typename on Query',
    source: 'query.rs query_variables_are_used, skip_directive_works_with_query_variables, include_directive_works_with_query_variables, can_query_root_typename',
    query: `query q($first: Int, $skip: Boolean!, $where: Position_filter) {
      __typename
      list: positions(first: $first, where: $where) { ...P note @skip(if: $skip) }
    }
    fragment P on Position { id size @include(if: $skip) }`,
    variables: { first: 1, skip: true, where: { size_gt: '1' } },
    expected: { data: { __typename: 'Query', list: [{ id: 'p1', size: '150' }] } },
  },
  {
    name: '_meta at the head, at a number (no hash known) and at a hash',
    source: 'query.rs can_query_meta; graphql/src/store/resolver.rs lookup_meta',
    query: `{
      head: _meta { block { number hash timestamp parentHash } deployment hasIndexingErrors }
      n: _meta(block: {number: 2}) { block { number hash timestamp } }
      h: _meta(block: {hash: "${H(1)}"}) { block { number hash timestamp parentHash } }
    }`,
    expected: {
      data: {
        head: { block: { number: 3, hash: H(3), timestamp: 1700000025, parentHash: H(2) }, deployment: 'QmApiFixture', hasIndexingErrors: false },
        n: { block: { number: 2, hash: null, timestamp: null } },
        h: { block: { number: 1, hash: H(1), timestamp: 1700000001, parentHash: H(0) } },
      },
    },
  },
];

describe('graph-node query API conformance (api-fixture)', () => {
  let dir: string;
  let dep: ServedDeployment;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'svr-api-'));
    dep = ServedDeployment.open(writeFixture(dir), 'api-fixture', 'testnet');
  });
  afterAll(() => {
    dep.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(executeRequest(dep, { query: c.query, variables: c.variables })).toEqual(c.expected);
  });

  test('a nested selection costs one statement per level, whatever the number of parents', () => {
    const spy = jest.spyOn(dep.stmts, 'get');
    executeRequest(dep, { query: '{ accounts { positions { market { traders { id } } } } }' });
    // the head and the first error block, then accounts, positions, markets, traders
    expect(spy).toHaveBeenCalledTimes(6);
    spy.mockRestore();
  });

  test('the generated schema has graph-node field names and filter inputs', () => {
    const fields = dep.api.graphql.getQueryType()!.getFields();
    expect(Object.keys(fields)).toEqual(
      expect.arrayContaining(['account', 'accounts', 'market', 'markets', 'marketStat', 'marketStats', 'position', 'positions', 'event', 'events', '_meta']),
    );
    expect(fields.positions.args.map((a) => a.name)).toEqual(['skip', 'first', 'orderBy', 'orderDirection', 'where', 'block', 'subgraphError']);
    const filter = dep.api.graphql.getType('Account_filter') as import('graphql').GraphQLInputObjectType;
    expect(Object.keys(filter.getFields())).toEqual(
      expect.arrayContaining(['name_not_ends_with_nocase', 'tags_contains_nocase', 'mainMarket_', 'markets_', 'positions_', 'events_', '_change_block', 'and', 'or']),
    );
    const orderBy = dep.api.graphql.getType('Position_orderBy') as import('graphql').GraphQLEnumType;
    expect(orderBy.getValues().map((v) => v.name)).toEqual(expect.arrayContaining(['account__name', 'account__score', 'market__symbol']));
    expect(orderBy.getValues().map((v) => v.name)).not.toContain('account__markets');
  });
});

describe('subgraphError (graph-node resolver post_process)', () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('an error at a block the query sees: deny drops the data, allow keeps it, both add indexing_error; _meta alone has no error', () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-api-'));
    const dep = ServedDeployment.open(writeFixture(dir, { errorAtBlock: 2 }), 'api-fixture', 'testnet');
    expect(executeRequest(dep, { query: '{ positions { id } }' })).toEqual({ errors: [{ message: 'indexing_error' }] });
    expect(executeRequest(dep, { query: '{ positions(subgraphError: allow) { id } }' })).toEqual({
      data: { positions: [{ id: 'p1' }, { id: 'p3' }] },
      errors: [{ message: 'indexing_error' }],
    });
    expect(executeRequest(dep, { query: '{ _meta { hasIndexingErrors } positions { id } }' })).toEqual({
      data: { _meta: { hasIndexingErrors: true } },
      errors: [{ message: 'indexing_error' }],
    });
    expect(executeRequest(dep, { query: '{ _meta { hasIndexingErrors } }' })).toEqual({ data: { _meta: { hasIndexingErrors: true } } });
    // Before the error block the deployment is healthy (has_deterministic_errors(block)).
    expect(executeRequest(dep, { query: '{ positions(block: {number: 1}) { id } }' })).toEqual({ data: { positions: [{ id: 'p1' }, { id: 'p2' }, { id: 'p3' }] } });
    dep.close();
  });

  test('a fatal error at the block after the head (how svr and graph-node record a failed block) does not hide the data', () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-api-'));
    const dep = ServedDeployment.open(writeFixture(dir, { errorAtBlock: 4 }), 'api-fixture', 'testnet');
    expect(executeRequest(dep, { query: '{ positions { id } _meta { hasIndexingErrors } }' })).toEqual({
      data: { positions: [{ id: 'p1' }, { id: 'p3' }], _meta: { hasIndexingErrors: false } },
    });
    dep.close();
  });
});
