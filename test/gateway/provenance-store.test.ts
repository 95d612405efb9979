/**
 * The served-records store: a record kept under its digest is found again (by
 * this process before its batch is written, by another one sharing the file
 * after), each digest is written once, and past either bound the records
 * first served longest ago go first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProvenanceStore } from '../../server/gateway/provenance-store';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'svr-records-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const record = (i: number, pad = 0) => JSON.stringify({ i, pad: 'x'.repeat(pad) });

test('a kept record is found before and after its batch is written, and by a second store on the same file', () => {
  const path = join(dir, 'provenance.sqlite');
  const a = new ProvenanceStore({ path, maxRecords: 10, maxBytes: 1 << 20 });
  const b = new ProvenanceStore({ path, maxRecords: 10, maxBytes: 1 << 20 });
  try {
    a.keep('d1', record(1));
    expect(a.get('d1')).toBe(record(1)); // pending, not yet written
    expect(b.get('d1')).toBeNull();
    a.flush();
    expect(b.get('d1')).toBe(record(1));
    // Kept again (a warm answer, or the other replica): written once.
    a.keep('d1', record(1));
    b.keep('d1', record(1));
    a.flush();
    b.flush();
    expect(a.written + b.written).toBe(1);
    expect(b.size()).toEqual({ records: 1, bytes: record(1).length });
    expect(a.get('unknown')).toBeNull();
  } finally {
    a.close();
    b.close();
  }
});

test('past maxRecords the records first served longest ago go first', () => {
  const store = new ProvenanceStore({ path: join(dir, 'p.sqlite'), maxRecords: 3, maxBytes: 1 << 20 });
  try {
    for (let i = 1; i <= 5; i++) {
      store.keep(`d${i}`, record(i));
      store.flush();
    }
    expect(store.size().records).toBe(3);
    expect([1, 2, 3, 4, 5].map((i) => store.get(`d${i}`) !== null)).toEqual([false, false, true, true, true]);
    expect(store.evicted).toBe(2);
  } finally {
    store.close();
  }
});

test('past maxBytes the oldest go first until the store is within it', () => {
  const size = record(1, 100).length;
  const store = new ProvenanceStore({ path: join(dir, 'p.sqlite'), maxRecords: 1000, maxBytes: size * 2 + 1 });
  try {
    for (let i = 1; i <= 4; i++) store.keep(`d${i}`, record(i, 100));
    store.flush();
    expect(store.size()).toEqual({ records: 2, bytes: size * 2 });
    expect([1, 2, 3, 4].map((i) => store.get(`d${i}`) !== null)).toEqual([false, false, true, true]);
  } finally {
    store.close();
  }
});

test('a long batch is written a bounded number of records per turn of the event loop, all of it in the end', async () => {
  const store = new ProvenanceStore({ path: join(dir, 'p.sqlite'), maxRecords: 10_000, maxBytes: 1 << 30 });
  try {
    for (let i = 0; i < 600; i++) store.keep(`d${i}`, record(i));
    expect(store.written).toBe(0); // nothing on the answer's own turn
    const turn = () => new Promise<void>((ok) => setImmediate(ok));
    await turn();
    expect(store.written).toBe(256);
    expect(store.get('d599')).toBe(record(599)); // still pending, still found
    await turn();
    await turn();
    expect(store.written).toBe(600);
  } finally {
    store.close();
  }
});

test('a store that cannot be written says so and drops its records, never throwing into the event loop', () => {
  writeFileSync(join(dir, 'a-file'), '');
  const errors: string[] = [];
  const store = new ProvenanceStore({ path: join(dir, 'a-file', 'p.sqlite'), maxRecords: 10, maxBytes: 1 << 20, onError: (e) => errors.push(e.message) });
  store.keep('d1', record(1));
  expect(() => store.flush()).not.toThrow();
  expect(store.get('d1')).toBeNull();
  expect(errors.length).toBeGreaterThan(0);
  store.close();
});
