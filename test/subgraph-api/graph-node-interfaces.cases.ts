/**
 * The cases of graph-node's interface tests (store/test-store/tests/core/interfaces.rs):
 * each test's schema, the entities it inserts, its queries and graph-node's
 * expected answers. Entities are [type, id, fields]; the test writes them
 * with a mapping compiled by graph-cli. Left out: follow_interface_reference_invalid
 * and invalid_fragment, whose schema graph-cli 0.98 refuses to build (a field
 * typed by an interface without an id: "id field must be non-nullable"), and
 * conflicting_implementors_id, which checks a store write error (see
 * docs/graph-node-parity.md).
 */
export type FieldValue = string | number | boolean | null | FieldValue[];

export interface InterfaceCase {
  /** The interfaces.rs test function. */
  test: string;
  schema: string;
  entities: Array<[string, string, Record<string, FieldValue>]>;
  /** `firstError`: where interfaces.rs checks only the first error's message. */
  queries: Array<{ query: string; data?: unknown; result?: unknown; firstError?: string }>;
}

const LEGGED = 'interface Legged { legs: Int }\ntype Animal implements Legged @entity { id: ID!, legs: Int }';
const LEGGED_TWO = LEGGED + '\ntype Furniture implements Legged @entity { id: ID!, legs: Int }';
const PARENT_LEGGED = 'interface Legged { id: ID!, legs: Int! }\ntype Animal implements Legged @entity { id: ID!, legs: Int!, parent: Legged }';
const TRAJECTORY = 'enum Direction { NORTH EAST SOUTH WEST }\ntype Trajectory @entity { id: ID!, direction: Direction!, meters: Int! }';

export const INTERFACE_CASES: InterfaceCase[] = [
  {
    test: 'one_interface_zero_entities',
    schema: LEGGED,
    entities: [],
    queries: [{ query: 'query { leggeds(first: 100) { legs } }', data: { leggeds: [] } }],
  },
  {
    test: 'one_interface_one_entity',
    schema: LEGGED,
    entities: [['Animal', '1', { legs: 3 }]],
    queries: [
      { query: 'query { leggeds(first: 100) { legs } }', data: { leggeds: [{ legs: 3 }] } },
      { query: 'query { legged(id: "1") { legs } }', data: { legged: { legs: 3 } } },
      { query: 'query { leggeds(first: 100) { __typename } }', data: { leggeds: [{ __typename: 'Animal' }] } },
    ],
  },
  {
    test: 'one_interface_multiple_entities',
    schema: LEGGED_TWO,
    entities: [
      ['Animal', '1', { legs: 3 }],
      ['Furniture', '2', { legs: 4 }],
    ],
    queries: [
      { query: 'query { leggeds(first: 100, orderBy: legs) { legs } }', data: { leggeds: [{ legs: 3 }, { legs: 4 }] } },
      { query: 'query { legged(id: "2") { legs } }', data: { legged: { legs: 4 } } },
    ],
  },
  {
    test: 'reference_interface',
    schema: 'type Leg @entity { id: ID! }\ninterface Legged { leg: Leg }\ntype Animal implements Legged @entity { id: ID!, leg: Leg }',
    entities: [
      ['Leg', '1', {}],
      ['Animal', '1', { leg: '1' }],
    ],
    queries: [{ query: 'query { leggeds(first: 100) { leg { id } } }', data: { leggeds: [{ leg: { id: '1' } }] } }],
  },
  {
    test: 'reference_interface_derived',
    schema: `type Transaction @entity {
  id: ID!,
  buyEvent: BuyEvent!,
  sellEvents: [SellEvent!]!,
  giftEvent: [GiftEvent!]! @derivedFrom(field: "transaction"),
}
interface Event { id: ID!, transaction: Transaction! }
type BuyEvent implements Event @entity { id: ID!, transaction: Transaction! @derivedFrom(field: "buyEvent") }
type SellEvent implements Event @entity { id: ID! transaction: Transaction! @derivedFrom(field: "sellEvents") }
type GiftEvent implements Event @entity { id: ID!, transaction: Transaction! }`,
    entities: [
      ['BuyEvent', 'buy', {}],
      ['SellEvent', 'sell1', {}],
      ['SellEvent', 'sell2', {}],
      ['GiftEvent', 'gift', { transaction: 'txn' }],
      ['Transaction', 'txn', { buyEvent: 'buy', sellEvents: ['sell1', 'sell2'] }],
    ],
    queries: [
      {
        query: 'query { events { id transaction { id } } }',
        data: {
          events: [
            { id: 'buy', transaction: { id: 'txn' } },
            { id: 'gift', transaction: { id: 'txn' } },
            { id: 'sell1', transaction: { id: 'txn' } },
            { id: 'sell2', transaction: { id: 'txn' } },
          ],
        },
      },
    ],
  },
  {
    test: 'follow_interface_reference',
    schema: PARENT_LEGGED,
    entities: [
      ['Animal', 'parent', { legs: 4, parent: null }],
      ['Animal', 'child', { legs: 3, parent: 'parent' }],
    ],
    queries: [
      { query: 'query { legged(id: "child") { ... on Animal { parent { id } } } }', data: { legged: { parent: { id: 'parent' } } } },
      {
        // interfaces.rs alias
        query: 'query { l: legged(id: "child") { ... on Animal { p: parent { i: id, t: __typename, __typename } } } }',
        data: { l: { p: { i: 'parent', t: 'Animal', __typename: 'Animal' } } },
      },
    ],
  },
  {
    test: 'derived_interface_relationship',
    schema:
      'interface ForestDweller { id: ID!, forest: Forest }\ntype Animal implements ForestDweller @entity { id: ID!, forest: Forest }\ntype Forest @entity { id: ID!, dwellers: [ForestDweller]! @derivedFrom(field: "forest") }',
    entities: [
      ['Forest', '1', {}],
      ['Animal', '1', { forest: '1' }],
    ],
    queries: [{ query: 'query { forests(first: 100) { dwellers(first: 100) { id } } }', data: { forests: [{ dwellers: [{ id: '1' }] }] } }],
  },
  {
    test: 'two_interfaces',
    schema:
      'interface IFoo { foo: String! }\ninterface IBar { bar: Int! }\ntype A implements IFoo @entity { id: ID!, foo: String! }\ntype B implements IBar @entity { id: ID!, bar: Int! }\ntype AB implements IFoo & IBar @entity { id: ID!, foo: String!, bar: Int! }',
    entities: [
      ['A', '1', { foo: 'bla' }],
      ['B', '1', { bar: 100 }],
      ['AB', '2', { foo: 'ble', bar: 200 }],
    ],
    queries: [
      {
        query: 'query { ibars(first: 100, orderBy: bar) { bar } ifoos(first: 100, orderBy: foo) { foo } }',
        data: { ibars: [{ bar: 100 }, { bar: 200 }], ifoos: [{ foo: 'bla' }, { foo: 'ble' }] },
      },
    ],
  },
  {
    test: 'interface_non_inline_fragment',
    schema: 'interface Legged { legs: Int }\ntype Animal implements Legged @entity { id: ID!, name: String, legs: Int }',
    entities: [['Animal', '1', { name: 'cow', legs: 3 }]],
    queries: [
      { query: 'query { leggeds { ...frag } } fragment frag on Animal { name }', data: { leggeds: [{ name: 'cow' }] } },
      { query: 'query { leggeds { legs, ...frag } } fragment frag on Animal { name }', data: { leggeds: [{ legs: 3, name: 'cow' }] } },
    ],
  },
  {
    test: 'interface_inline_fragment',
    schema:
      'interface Legged { legs: Int }\ntype Animal implements Legged @entity { id: ID!, name: String, legs: Int }\ntype Bird implements Legged @entity { id: ID!, airspeed: Int, legs: Int }',
    entities: [
      ['Animal', '1', { name: 'cow', legs: 4 }],
      ['Bird', '2', { airspeed: 24, legs: 2 }],
    ],
    queries: [
      {
        query: 'query { leggeds(orderBy: legs) { ... on Animal { name } ...on Bird { airspeed } } }',
        data: { leggeds: [{ airspeed: 24 }, { name: 'cow' }] },
      },
    ],
  },
  {
    test: 'interface_inline_fragment_with_subquery',
    schema: `interface Legged { legs: Int }
type Parent @entity { id: ID! }
type Animal implements Legged @entity { id: ID! name: String legs: Int parent: Parent }
type Bird implements Legged @entity { id: ID! airspeed: Int legs: Int parent: Parent }`,
    entities: [
      ['Animal', '1', { name: 'cow', legs: 4, parent: 'mama_cow' }],
      ['Parent', 'mama_cow', {}],
      ['Bird', '2', { airspeed: 5, legs: 2, parent: 'mama_bird' }],
      ['Parent', 'mama_bird', {}],
    ],
    queries: [
      {
        query: 'query { leggeds(orderBy: legs) { legs ... on Bird { airspeed parent { id } } } }',
        data: { leggeds: [{ legs: 2, airspeed: 5, parent: { id: 'mama_bird' } }, { legs: 4 }] },
      },
    ],
  },
  {
    test: 'fragments_dont_panic',
    schema: 'type Parent @entity { id: ID!, child: Child }\ntype Child @entity { id: ID! }',
    entities: [
      ['Parent', 'p', { child: 'c' }],
      ['Parent', 'p2', { child: null }],
      ['Child', 'c', {}],
    ],
    queries: [
      {
        query: 'query { parents { ...on Parent { child { id } } ...Frag child { id } } } fragment Frag on Parent { child { id } }',
        data: { parents: [{ child: { id: 'c' } }, { child: null }] },
      },
    ],
  },
  {
    test: 'fragments_dont_duplicate_data',
    schema: 'type Parent @entity { id: ID!, children: [Child!]! }\ntype Child @entity { id: ID! }',
    entities: [
      ['Parent', 'p', { children: ['c'] }],
      ['Parent', 'b', { children: [] }],
      ['Child', 'c', {}],
    ],
    queries: [
      {
        query: 'query { parents { ...Frag children { id } } } fragment Frag on Parent { children { id } }',
        data: { parents: [{ children: [] }, { children: [{ id: 'c' }] }] },
      },
    ],
  },
  {
    test: 'redundant_fields',
    schema: 'interface Legged { id: ID!, parent: Legged }\ntype Animal implements Legged @entity { id: ID!, parent: Legged }',
    entities: [
      ['Animal', 'parent', { parent: null }],
      ['Animal', 'child', { parent: 'parent' }],
    ],
    queries: [{ query: 'query { leggeds { parent { id } ...on Animal { parent { id } } } }', data: { leggeds: [{ parent: { id: 'parent' } }, { parent: null }] } }],
  },
  {
    test: 'fragments_merge_selections',
    schema: 'type Parent @entity { id: ID!, children: [Child!]! }\ntype Child @entity { id: ID!, foo: Int! }',
    entities: [
      ['Parent', 'p', { children: ['c'] }],
      ['Child', 'c', { foo: 1 }],
    ],
    queries: [
      {
        query: 'query { parents { ...Frag children { id } } } fragment Frag on Parent { children { foo } }',
        data: { parents: [{ children: [{ foo: 1, id: 'c' }] }] },
      },
    ],
  },
  {
    test: 'merge_fields_not_in_interface',
    schema: 'interface Iface { id: ID! }\ntype Animal implements Iface @entity { id: ID!, human: Iface! }\ntype Human implements Iface @entity { id: ID!, animal: Iface! }',
    entities: [
      ['Animal', 'cow', { human: 'fred' }],
      ['Human', 'fred', { animal: 'cow' }],
    ],
    queries: [
      {
        query: 'query { ifaces { ...on Animal { id friend: human { id } } ...on Human { id friend: animal { id } } } }',
        data: { ifaces: [{ id: 'cow', friend: { id: 'fred' } }, { id: 'fred', friend: { id: 'cow' } }] },
      },
    ],
  },
  {
    test: 'nested_interface_fragments',
    schema: `interface I1face { id: ID!, foo1: Foo! }
interface I2face { id: ID!, foo2: Foo! }
interface I3face { id: ID!, foo3: Foo! }
type Foo @entity { id: ID! }
type One implements I1face @entity { id: ID! foo1: Foo! }
type Two implements I1face & I2face @entity { id: ID! foo1: Foo! foo2: Foo! }
type Three implements I1face & I2face & I3face @entity { id: ID! foo1: Foo! foo2: Foo! foo3: Foo! }`,
    entities: [
      ['Foo', 'foo', {}],
      ['One', '1', { foo1: 'foo' }],
      ['Two', '2', { foo1: 'foo', foo2: 'foo' }],
      ['Three', '3', { foo1: 'foo', foo2: 'foo', foo3: 'foo' }],
    ],
    queries: [
      {
        query: 'query { i1Faces { __typename foo1 { id } ...on I2face { foo2 { id } } ...on I3face { foo3 { id } } } }',
        data: {
          i1Faces: [
            { __typename: 'One', foo1: { id: 'foo' } },
            { __typename: 'Two', foo1: { id: 'foo' }, foo2: { id: 'foo' } },
            { __typename: 'Three', foo1: { id: 'foo' }, foo2: { id: 'foo' }, foo3: { id: 'foo' } },
          ],
        },
      },
    ],
  },
  {
    test: 'nested_interface_fragments_overlapping',
    schema: `interface I1face { id: ID!, foo1: Foo! }
interface I2face { id: ID!, foo1: Foo! }
type Foo @entity { id: ID! }
type One implements I1face @entity { id: ID! foo1: Foo! }
type Two implements I1face & I2face @entity { id: ID! foo1: Foo! }`,
    entities: [
      ['Foo', 'foo', {}],
      ['One', '1', { foo1: 'foo' }],
      ['Two', '2', { foo1: 'foo' }],
    ],
    queries: [
      {
        query: 'query { i1Faces { __typename ...on I2face { foo1 { id } } } }',
        data: { i1Faces: [{ __typename: 'One' }, { __typename: 'Two', foo1: { id: 'foo' } }] },
      },
      {
        query: 'query { i1Faces { __typename foo1 { id } ...on I2face { foo1 { id } } } }',
        data: { i1Faces: [{ __typename: 'One', foo1: { id: 'foo' } }, { __typename: 'Two', foo1: { id: 'foo' } }] },
      },
    ],
  },
  {
    test: 'enums',
    schema: TRAJECTORY,
    entities: [
      ['Trajectory', '1', { direction: 'EAST', meters: 10 }],
      ['Trajectory', '2', { direction: 'NORTH', meters: 15 }],
    ],
    queries: [
      {
        query: 'query { trajectories { id, direction, meters } }',
        data: { trajectories: [{ id: '1', direction: 'EAST', meters: 10 }, { id: '2', direction: 'NORTH', meters: 15 }] },
      },
    ],
  },
  {
    test: 'enum_list_filters',
    schema: TRAJECTORY,
    entities: [
      ['Trajectory', '1', { direction: 'EAST', meters: 10 }],
      ['Trajectory', '2', { direction: 'NORTH', meters: 15 }],
      ['Trajectory', '3', { direction: 'WEST', meters: 20 }],
    ],
    queries: [
      {
        query: 'query { trajectories(where: { direction_in: [NORTH, EAST] }) { id, direction } }',
        data: { trajectories: [{ id: '1', direction: 'EAST' }, { id: '2', direction: 'NORTH' }] },
      },
      {
        query: 'query { trajectories(where: { direction_not_in: [EAST] }) { id, direction } }',
        data: { trajectories: [{ id: '2', direction: 'NORTH' }, { id: '3', direction: 'WEST' }] },
      },
    ],
  },
  {
    test: 'recursive_fragment',
    schema: 'type Foo @entity { id: ID! foo: Foo! bar: Bar! }\ntype Bar @entity { id: ID! foo: Foo! }',
    entities: [],
    queries: [
      {
        query: 'query { foos { ...FooFrag } } fragment FooFrag on Foo { id foo { ...FooFrag } }',
        firstError: 'Cannot spread fragment "FooFrag" within itself.',
      },
      {
        query: 'query { foos { ...BarFrag } } fragment BarFrag on Bar { id foo { ...FooFrag } } fragment FooFrag on Foo { id bar { ...BarFrag } }',
        firstError: 'Cannot spread fragment "BarFrag" within itself via "FooFrag".',
      },
    ],
  },
  {
    test: 'mixed_mutability',
    schema:
      'interface Event { id: String! }\ntype Mutable implements Event @entity { id: String!, name: String! }\ntype Immutable implements Event @entity(immutable: true) { id: String!, name: String! }',
    entities: [
      ['Mutable', 'mut0', { name: 'mut0' }],
      ['Immutable', 'immo0', { name: 'immo0' }],
    ],
    queries: [{ query: 'query { events { id } }', data: { events: [{ id: 'immo0' }, { id: 'mut0' }] } }],
  },
  {
    test: 'derived_interface_bytes',
    schema: `type Pool @entity { id: Bytes!, trades: [Trade!]! @derivedFrom(field: "pool") }
interface Trade { id: Bytes! pool: Pool! }
type Sell implements Trade @entity { id: Bytes! pool: Pool! }
type Buy implements Trade @entity { id: Bytes! pool: Pool! }`,
    entities: [
      ['Pool', '0xf001', {}],
      ['Sell', '0xc0', { pool: '0xf001' }],
      ['Buy', '0xb0', { pool: '0xf001' }],
    ],
    queries: [{ query: 'query { pools { trades { id } } }', data: { pools: [{ trades: [{ id: '0xb0' }, { id: '0xc0' }] }] } }],
  },
];
