/**
 * Writes the api-fixture deployment (test/fixtures/subgraphs/api-fixture) into
 * `<dataDir>/api-fixture/testnet.sqlite` through SqliteStore.commitBlock, the
 * store's own write path.
 *
 * block 1: accounts a1 Alice, a2 bob, markets 0x01 ETH, 0x02 BTC, 0x0a0b ARB,
 *          positions p1, p2, p3, stat s1, deposits d1, d2
 * block 2: p1 grows (size 150, collateral 12), liquidation l1 of p3, a2 renamed "Bob"
 * block 3: p2 removed, account a3 "Carol%" added
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../server/paths';
import { decimalFromString } from '../../server/runtime/numbers';
import type { EntityData, Value } from '../../server/runtime/values';
import type { Modification } from '../../server/store/entity-cache';
import { SqliteStore } from '../../server/store/sqlite-store';

export const FIXTURE_DIR = join(PROJECT_ROOT, 'test', 'fixtures', 'subgraphs', 'api-fixture');
export const DEPLOYMENT = 'QmApiFixture';
export const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');
export const TIMESTAMPS = [0, 1700000001, 1700000013, 1700000025];

const S = (value: string): Value => ({ kind: 'String', value });
const B = (hex: string): Value => ({ kind: 'Bytes', value: Buffer.from(hex.slice(2), 'hex') });
const BI = (value: bigint): Value => ({ kind: 'BigInt', value });
const BD = (text: string): Value => ({ kind: 'BigDecimal', value: decimalFromString(text) });
const I = (value: number): Value => ({ kind: 'Int', value });
const I8 = (value: bigint): Value => ({ kind: 'Int8', value });
const TS = (value: bigint): Value => ({ kind: 'Timestamp', value });
const BOOL = (value: boolean): Value => ({ kind: 'Bool', value });
const L = (...value: Value[]): Value => ({ kind: 'List', value });

function entity(fields: Record<string, Value>): EntityData {
  return new Map(Object.entries(fields));
}

const set = (entityType: string, id: string, fields: Record<string, Value>, kind: 'insert' | 'overwrite' = 'insert'): Modification => ({
  kind,
  entityType,
  id,
  data: entity({ id: entityType === 'Market' ? B(id) : S(id), ...fields }),
});

export function writeFixture(dataDir: string, options: { errorAtBlock?: number } = {}): string {
  const dir = join(dataDir, 'api-fixture');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'testnet.sqlite');
  const store = SqliteStore.open(path, readFileSync(join(FIXTURE_DIR, 'schema.graphql'), 'utf8'), {
    deployment: DEPLOYMENT,
    subgraph: 'api-fixture',
    network: 'testnet',
    startBlock: 1,
  });
  const block = (n: number) => ({ number: n, hash: hash(n), parentHash: hash(n - 1), timestamp: TIMESTAMPS[n] });
  const a1 = { name: S('Alice'), tags: L(S('whale'), S('early')), mainMarket: B('0x01'), markets: L(B('0x01'), B('0x02')), score: I8(10n), createdAt: TS(1710837304040956n) };
  const a2 = { name: S('bob'), tags: L(S('early')), mainMarket: B('0x01'), markets: L(B('0x01')), score: I8(100n), createdAt: TS(1710837304040957n) };
  const p1 = { account: S('a1'), market: B('0x01'), side: S('LONG'), size: BI(100n), collateral: BD('10.5'), leverage: I(2), open: BOOL(true), note: S('first'), codes: L(B('0xdead'), B('0xbeef')) };
  store.commitBlock(
    block(1),
    [
      set('Account', 'a1', a1),
      set('Account', 'a2', a2),
      set('Market', '0x01', { symbol: S('ETH') }),
      set('Market', '0x02', { symbol: S('BTC') }),
      set('Market', '0x0a0b', { symbol: S('ARB') }),
      set('MarketStat', 's1', { market: B('0x01'), volume: BD('123.45') }),
      set('Position', 'p1', p1),
      set('Position', 'p2', { account: S('a1'), market: B('0x02'), side: S('SHORT'), size: BI(-50n), collateral: BD('3'), leverage: I(5), open: BOOL(true) }),
      set('Position', 'p3', {
        account: S('a2'),
        market: B('0x01'),
        side: S('LONG'),
        size: BI(1000000000000000000000n),
        collateral: BD('0.001'),
        leverage: I(10),
        open: BOOL(false),
        note: S('Third'),
      }),
      set('Deposit', 'd1', { account: S('a1'), block: BI(1n), amount: BI(5n) }),
      set('Deposit', 'd2', { account: S('a2'), block: BI(1n), amount: BI(7n) }),
    ],
    [],
  );
  store.commitBlock(
    block(2),
    [
      set('Position', 'p1', { ...p1, size: BI(150n), collateral: BD('12') }, 'overwrite'),
      set('Liquidation', 'l1', { account: S('a2'), block: BI(2n), position: S('p3') }),
      set('Account', 'a2', { ...a2, name: S('Bob') }, 'overwrite'),
    ],
    [],
  );
  store.commitBlock(
    block(3),
    [
      { kind: 'remove', entityType: 'Position', id: 'p2' },
      set('Account', 'a3', { name: S('Carol%'), tags: L(), markets: L(B('0x0a0b')), score: I8(-5n), createdAt: TS(1710837304040958n) }),
    ],
    [],
  );
  if (options.errorAtBlock !== undefined) {
    store.recordError({ blockNumber: options.errorAtBlock, blockHash: hash(options.errorAtBlock), handler: 'handleX', message: 'boom', deterministic: true });
  }
  store.close();
  return path;
}

/**
 * Commits `count` more blocks after the fixture's head, from block `from`: each
 * sets account a3's score to the block's number, so a read that mixes two
 * blocks shows a score other than `_meta`'s block number.
 */
export function writeScoreBlocks(path: string, from: number, count: number): number {
  const store = SqliteStore.open(path, readFileSync(join(FIXTURE_DIR, 'schema.graphql'), 'utf8'), {
    deployment: DEPLOYMENT,
    subgraph: 'api-fixture',
    network: 'testnet',
    startBlock: 1,
  });
  try {
    for (let n = from; n < from + count; n++) {
      const a3 = { name: S('Carol%'), tags: L(), markets: L(B('0x0a0b')), score: I8(BigInt(n)), createdAt: TS(1710837304040958n) };
      store.commitBlock({ number: n, hash: hash(n), parentHash: hash(n - 1), timestamp: 1700000025 + n }, [set('Account', 'a3', a3, 'overwrite')], []);
    }
  } finally {
    store.close();
  }
  return from + count - 1;
}
