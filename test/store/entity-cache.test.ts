/**
 * The entity cache against graph-node's rules (graph/src/components/store/entity_cache.rs,
 * runtime/wasm/src/host_exports.rs `store_set`, graph/src/data/store/mod.rs `validate`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityCache } from '../../server/store/entity-cache';
import { SqliteStore } from '../../server/store/sqlite-store';
import type { EntityData, Value } from '../../server/runtime/values';

const schema = `
type Account @entity(immutable: false) {
  id: ID!
  balance: BigInt!
  label: String
  positions: [Position!]! @derivedFrom(field: "account")
}
type Position @entity(immutable: false) {
  id: Bytes!
  account: Account!
  size: BigInt!
  tags: [String!]
}
type Trade @entity(immutable: true) {
  id: ID!
  amount: BigInt!
}
`;

const big = (v: bigint): Value => ({ kind: 'BigInt', value: v });
const str = (v: string): Value => ({ kind: 'String', value: v });
const entity = (fields: Record<string, Value>): EntityData => new Map(Object.entries(fields));
const text = (v: Value): string | null =>
  v.kind === 'Bytes' ? '0x' + Buffer.from(v.value).toString('hex') : v.kind === 'Null' ? null : v.kind === 'List' ? `[${v.value.map(text).join(', ')}]` : String(v.value);
const plain = (e: EntityData | null) => (e ? Object.fromEntries([...e].map(([k, v]) => [k, text(v)])) : null);

function open(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'svr-cache-'));
  return SqliteStore.open(join(dir, 's.sqlite'), schema, { deployment: 'd', subgraph: 't', network: 'n', startBlock: 0 });
}

function block(store: SqliteStore, n: number, fn: (c: EntityCache) => void) {
  const cache = new EntityCache(store.schema, store, true);
  fn(cache);
  const mods = cache.modifications();
  store.commitBlock({ number: n, hash: '0x' + n.toString(16).padStart(64, '0'), parentHash: '0x' + '0'.repeat(64), timestamp: n }, mods, []);
  return mods;
}

test('set merges a partial entity into the stored one; null removes a field', () => {
  const store = open();
  block(store, 1, (c) => c.set('Account', 'a', entity({ balance: big(5n), label: str('x') })));
  block(store, 2, (c) => c.set('Account', 'a', entity({ balance: big(7n) })));
  expect(plain(store.getLatest('Account', 'a'))).toEqual({ id: 'a', balance: '7', label: 'x' });
  block(store, 3, (c) => c.set('Account', 'a', entity({ label: { kind: 'Null' } })));
  expect(plain(store.getLatest('Account', 'a'))).toEqual({ id: 'a', balance: '7' });
  // Time travel: every version keeps its block range.
  expect(plain(store.getAt('Account', 'a', 1))).toEqual({ id: 'a', balance: '5', label: 'x' });
  expect(plain(store.getAt('Account', 'a', 2))).toEqual({ id: 'a', balance: '7', label: 'x' });
  expect(store.getAt('Account', 'a', 0)).toBeNull();
});

test('a write that changes nothing makes no new version', () => {
  const store = open();
  block(store, 1, (c) => c.set('Account', 'a', entity({ balance: big(5n) })));
  const mods = block(store, 2, (c) => c.set('Account', 'a', entity({ balance: big(5n) })));
  expect(mods).toEqual([]);
});

test('get sees the block’s own writes; get_in_block sees only them', () => {
  const store = open();
  block(store, 1, (c) => c.set('Account', 'a', entity({ balance: big(5n) })));
  block(store, 2, (c) => {
    expect(plain(c.get('Account', 'a', 'store'))).toEqual({ id: 'a', balance: '5' });
    expect(c.get('Account', 'a', 'block')).toBeNull();
    c.set('Account', 'a', entity({ label: str('y') }));
    expect(plain(c.get('Account', 'a', 'store'))).toEqual({ id: 'a', balance: '5', label: 'y' });
    // In-block scope sees only what this block set, not the stored fields (graph-node: Update applied to None).
    expect(plain(c.get('Account', 'a', 'block'))).toEqual({ id: 'a', label: 'y' });
    c.remove('Account', 'a');
    expect(c.get('Account', 'a', 'store')).toBeNull();
  });
  expect(store.getLatest('Account', 'a')).toBeNull();
  expect(plain(store.getAt('Account', 'a', 1))).toEqual({ id: 'a', balance: '5' });
});

test('validation errors carry graph-node’s messages', () => {
  const store = open();
  block(store, 1, (c) => {
    expect(() => c.set('Account', 'b', entity({ label: str('x') }))).toThrow(
      'Entity Account[b]: missing value for non-nullable field `balance`',
    );
    expect(() => c.set('Account', 'b', entity({ balance: str('1') }))).toThrow(
      'Entity Account[b]: the value `1` for field `balance` must have type BigInt! but has type String',
    );
    expect(() => c.set('Account', 'b', entity({ balance: big(1n), nope: big(1n), also: big(2n) }))).toThrow(
      'Attempted to set undefined fields [also, nope] for the entity type `Account`. Make sure those fields are defined in the schema.',
    );
    expect(() => c.set('Account', 'b', entity({ id: str('c'), balance: big(1n) }))).toThrow(
      'Value of Account attribute \'id\' conflicts with ID passed to `store.set()`: String("c") != String(Word("b"))',
    );
    expect(() => c.set('Account', 'b', entity({ balance: big(1n), positions: { kind: 'List', value: [] } }))).toThrow(
      'Entity Account[b]: field `positions` is derived and cannot be set',
    );
    expect(() =>
      c.set('Position', '0x01', entity({ account: str('a'), size: big(1n), tags: { kind: 'List', value: [str('a'), big(1n)] } })),
    ).toThrow('Entity Position[0x01]: field `tags` is of type [String!], but the value `[a, 1]` contains a BigInt at index 1');
  });
});

test('Bytes ids are the same entity whatever the hex case; loadRelated follows @derivedFrom with in-block changes', () => {
  const store = open();
  block(store, 1, (c) => {
    c.set('Account', 'a', entity({ balance: big(0n) }));
    c.set('Position', '0xAB', entity({ account: str('a'), size: big(1n) }));
    c.set('Position', '0xcd', entity({ account: str('a'), size: big(2n) }));
  });
  block(store, 2, (c) => {
    expect(plain(c.get('Position', '0xab', 'store'))).toEqual({ id: '0xab', account: 'a', size: '1' });
    c.set('Position', '0xef', entity({ account: str('a'), size: big(3n) }));
    c.set('Position', '0xcd', entity({ account: str('z') }));
    const related = c.loadRelated('Account', 'a', 'positions').map((e) => plain(e)!.id).sort();
    expect(related).toEqual(['0xab', '0xef']);
  });
});

test('an immutable entity cannot be written again in a later block', () => {
  const store = open();
  block(store, 1, (c) => c.set('Trade', 't', entity({ amount: big(1n) })));
  expect(() => block(store, 2, (c) => c.set('Trade', 't', entity({ amount: big(2n) })))).toThrow(/immutable/);
  expect(store.head()?.number).toBe(1);
  expect(plain(store.getLatest('Trade', 't'))).toEqual({ id: 't', amount: '1' });
});
