/**
 * Fulltext search fields beyond graph-node's two query.rs cases (ported in
 * graph-node-queries.test.ts): graph-node's query syntax (Postgres
 * to_tsquery) and its errors, time travel over updated text, and a revert.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Value } from '../../server/runtime/values';
import { SqliteStore } from '../../server/store/sqlite-store';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';
import { fulltextMatch } from '../../server/subgraph-api/fulltext';

const SCHEMA = `
type _Schema_ @fulltext(name: "noteSearch", language: en, algorithm: rank, include: [{ entity: "Note", fields: [{ name: "title" }, { name: "body" }] }])
type Note @entity(immutable: false) { id: ID!, title: String!, body: String!, stars: Int! }
`;
const S = (value: string): Value => ({ kind: 'String', value });
const I = (value: number): Value => ({ kind: 'Int', value });
const note = (id: string, title: string, body: string, stars: number) => ({
  kind: 'overwrite' as const,
  entityType: 'Note',
  id,
  data: new Map<string, Value>([
    ['id', S(id)],
    ['title', S(title)],
    ['body', S(body)],
    ['stars', I(stars)],
  ]),
});
const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const block = (n: number) => ({ number: n, hash: hash(n), parentHash: hash(n - 1), timestamp: 1000 + n });

describe('fulltext search fields', () => {
  let dir: string;
  let path: string;
  let dep: ServedDeployment;
  const ids = (query: string) => {
    const r = executeRequest(dep, { query });
    return r.errors ? r : (r.data!.noteSearch as Array<{ id: string }>).map((n) => n.id);
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'svr-fts-'));
    path = join(dir, 'notes.sqlite');
    const store = SqliteStore.open(path, SCHEMA, { deployment: 'QmNotes', subgraph: 'notes', network: 'testnet', startBlock: 1 });
    store.commitBlock(block(1), [note('n1', 'Liquidations', 'cascading liquidations in a crash', 5), note('n2', 'Funding', 'funding rates and open interest', 3)], []);
    store.commitBlock(block(2), [note('n2', 'Funding', 'funding rates after the liquidation wave', 4), note('n3', 'Oracles', 'oracle prices', 1)], []);
    store.close();
    dep = ServedDeployment.open(path, 'notes', 'testnet');
  });
  afterAll(() => {
    dep.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('words are stemmed (English), searched across the included fields, at the block asked for', () => {
    expect(ids('{ noteSearch(text: "liquidation") { id } }')).toEqual(['n1', 'n2']);
    expect(ids('{ noteSearch(text: "liquidation", block: { number: 1 }) { id } }')).toEqual(['n1']);
    expect(ids('{ noteSearch(text: "oracles") { id } }')).toEqual(['n3']);
  });

  test("graph-node's operators: & | <-> :* and & !", () => {
    expect(ids('{ noteSearch(text: "funding & liquidation") { id } }')).toEqual(['n2']);
    expect((ids('{ noteSearch(text: "oracle | crash") { id } }') as string[]).sort()).toEqual(['n1', 'n3']);
    expect(ids('{ noteSearch(text: "liquidation & !funding") { id } }')).toEqual(['n1']);
    expect(ids('{ noteSearch(text: "open <-> interest") { id } }')).toEqual([]);
    expect(ids('{ noteSearch(text: "open <-> interest", block: { number: 1 }) { id } }')).toEqual(['n2']);
    expect(ids('{ noteSearch(text: "liquid:*") { id } }')).toEqual(['n1', 'n2']);
  });

  test('where, first and skip apply to the matches', () => {
    expect(ids('{ noteSearch(text: "liquidation", where: { stars_lt: 5 }) { id } }')).toEqual(['n2']);
    expect(ids('{ noteSearch(text: "liquidation", first: 1, skip: 1) { id } }')).toHaveLength(1);
  });

  test('text in another syntax is refused with graph-node\'s message', () => {
    expect(ids('{ noteSearch(text: "two words") { id } }')).toEqual({
      errors: [
        {
          message:
            'Invalid fulltext search query syntax. Error: syntax error in tsquery: "two words". Hint: Search terms with spaces need to be enclosed in single quotes',
        },
      ],
    });
    expect(fulltextMatch("'open interest'")).toBe('"open interest"');
    expect(() => fulltextMatch('& a')).toThrow(/syntax error in tsquery/);
  });

  test('a store written before fulltext tables existed gains them, filled from every version', () => {
    dep.close();
    const raw = new (require('better-sqlite3'))(path);
    raw.exec('DROP TABLE "_svr_fts_noteSearch"');
    raw.close();
    SqliteStore.openExisting(path).close();
    dep = ServedDeployment.open(path, 'notes', 'testnet');
    expect(ids('{ noteSearch(text: "liquidation", block: { number: 1 }) { id } }')).toEqual(['n1']);
    expect(ids('{ noteSearch(text: "liquidation") { id } }')).toEqual(['n1', 'n2']);
  });

  test('a revert removes the reverted versions from the search', () => {
    dep.close();
    const store = SqliteStore.openExisting(path);
    store.revertTo(1);
    store.close();
    dep = ServedDeployment.open(path, 'notes', 'testnet');
    expect(ids('{ noteSearch(text: "liquidation") { id } }')).toEqual(['n1']);
    expect(ids('{ noteSearch(text: "oracle") { id } }')).toEqual([]);
  });
});
