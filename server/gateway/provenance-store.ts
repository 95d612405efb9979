/**
 * The provenance records this svr served, by digest, so that a replay can be
 * asked with the digest alone (provenance.ts, replay.ts). SQLite
 * (better-sqlite3) beside the alert state: `<data dir>/provenance.sqlite`, or
 * `replay.recordsFile`. Replicas on one host may share the file (WAL; a
 * digest is written once, whoever serves it first).
 *
 * Bounded by count and by bytes (replay.maxRecords, replay.maxBytes): past
 * either, the records first served longest ago go first (oldest in, first
 * out; serving a stored digest again does not renew it).
 *
 * Off the answer's path: a served record goes to a pending batch, written in
 * one transaction on the next turn of the event loop (at most WRITE_BATCH a
 * turn, so a long history does not hold the loop); a digest served again
 * (a warm answer) is found in a bounded in-memory set of the ones written
 * lately and costs a map lookup. The file opens on the first record.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ProvenanceStoreOptions {
  path: string;
  maxRecords: number;
  maxBytes: number;
  /** A batch that could not be written (its records are dropped: a replay by digest of them then needs the record). */
  onError?: (e: Error) => void;
}

export const DEFAULT_RECORD_LIMITS = { maxRecords: 100_000, maxBytes: 128 * 1024 * 1024 } as const;

/** Digests written lately, kept in memory so that serving one again does not touch the file. */
const RECENT_DIGESTS = 10_000;
/** Records written per turn of the event loop: a history of 10,000 points is written over many turns, none blocking long. */
const WRITE_BATCH = 256;
/** Records read per eviction step. */
const EVICTION_BATCH = 256;

export class ProvenanceStore {
  private opened: Database.Database | null = null;
  private readonly pending = new Map<string, string>();
  private readonly recent = new Set<string>();
  private flushing: NodeJS.Immediate | null = null;
  private closed = false;
  /** Records written and evicted by this process (metrics, tests). */
  written = 0;
  evicted = 0;

  constructor(private readonly options: ProvenanceStoreOptions) {}

  get path(): string {
    return this.options.path;
  }

  private get db(): Database.Database {
    if (!this.opened) {
      mkdirSync(dirname(this.options.path), { recursive: true });
      const db = new Database(this.options.path);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      // A record lost to a power cut costs a replay by digest, not a wrong answer: no fsync per batch (WAL stays consistent).
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY AUTOINCREMENT, digest TEXT NOT NULL UNIQUE, record TEXT NOT NULL, bytes INTEGER NOT NULL, served_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS totals (id INTEGER PRIMARY KEY CHECK (id = 1), records INTEGER NOT NULL, bytes INTEGER NOT NULL);
        INSERT OR IGNORE INTO totals (id, records, bytes) VALUES (1, 0, 0);
      `);
      this.opened = db;
    }
    return this.opened;
  }

  /** A record served under its digest: kept, unless it is kept already. */
  keep(digest: string, record: string): void {
    if (this.closed || this.recent.has(digest) || this.pending.has(digest)) return;
    this.pending.set(digest, record);
    this.flushing ??= setImmediate(() => this.writeSome());
  }

  /** The record served under `digest`, or null when this store has none (never served here, or evicted). */
  get(digest: string): string | null {
    const pending = this.pending.get(digest);
    if (pending !== undefined) return pending;
    if (this.closed) return null;
    try {
      const row = this.db.prepare('SELECT record FROM records WHERE digest = ?').get(digest) as { record: string } | undefined;
      return row?.record ?? null;
    } catch (e) {
      this.options.onError?.(e as Error);
      return null;
    }
  }

  /** Writes every pending record now (tests, shutdown). */
  flush(): void {
    while (this.pending.size > 0) this.write();
    if (this.flushing) clearImmediate(this.flushing);
    this.flushing = null;
  }

  /** One batch now, the rest on the next turn. */
  private writeSome(): void {
    this.flushing = null;
    this.write();
    if (this.pending.size > 0 && !this.closed) this.flushing = setImmediate(() => this.writeSome());
  }

  /** Up to WRITE_BATCH pending records in one transaction, then eviction past the bounds. */
  private write(): void {
    const batch: Array<[string, string]> = [];
    for (const entry of this.pending) {
      batch.push(entry);
      if (batch.length === WRITE_BATCH) break;
    }
    for (const [digest] of batch) this.pending.delete(digest);
    try {
      this.insert(batch);
    } catch (e) {
      this.options.onError?.(e as Error);
      return;
    }
    for (const [digest] of batch) {
      this.recent.add(digest);
      // The set keeps insertion order: the first is the oldest.
      if (this.recent.size > RECENT_DIGESTS) this.recent.delete(this.recent.values().next().value as string);
    }
  }

  private insert(batch: ReadonlyArray<[string, string]>): void {
    const db = this.db;
    const insert = db.prepare('INSERT OR IGNORE INTO records (digest, record, bytes, served_at) VALUES (?, ?, ?, ?)');
    const add = db.prepare('UPDATE totals SET records = records + ?, bytes = bytes + ? WHERE id = 1');
    db.transaction(() => {
      const now = Math.floor(Date.now() / 1000);
      let records = 0;
      let bytes = 0;
      for (const [digest, record] of batch) {
        const size = Buffer.byteLength(record);
        if (insert.run(digest, record, size, now).changes > 0) {
          records++;
          bytes += size;
        }
      }
      add.run(records, bytes);
      this.written += records;
      this.evict();
    })();
  }

  /** Oldest first, until the store is within both bounds (in the caller's transaction). */
  private evict(): void {
    const db = this.db;
    const totals = () => db.prepare('SELECT records, bytes FROM totals WHERE id = 1').get() as { records: number; bytes: number };
    const oldest = db.prepare('SELECT seq, digest, bytes FROM records ORDER BY seq LIMIT ?');
    const remove = db.prepare('DELETE FROM records WHERE seq = ?');
    const subtract = db.prepare('UPDATE totals SET records = records - 1, bytes = bytes - ? WHERE id = 1');
    let t = totals();
    while (t.records > this.options.maxRecords || t.bytes > this.options.maxBytes) {
      const n = t.records > this.options.maxRecords ? Math.min(EVICTION_BATCH, t.records - this.options.maxRecords) : EVICTION_BATCH;
      const rows = oldest.all(n) as Array<{ seq: number; digest: string; bytes: number }>;
      if (rows.length === 0) break;
      for (const r of rows) {
        if (t.records <= this.options.maxRecords && t.bytes <= this.options.maxBytes) break;
        remove.run(r.seq);
        subtract.run(r.bytes);
        this.recent.delete(r.digest);
        this.evicted++;
        t = { records: t.records - 1, bytes: t.bytes - r.bytes };
      }
      t = totals();
    }
  }

  /** How many records, and their bytes, the store holds now. */
  size(): { records: number; bytes: number } {
    this.flush();
    return this.db.prepare('SELECT records, bytes FROM totals WHERE id = 1').get() as { records: number; bytes: number };
  }

  close(): void {
    if (this.closed) return;
    if (this.pending.size > 0) this.flush();
    if (this.flushing) clearImmediate(this.flushing);
    this.closed = true;
    this.opened?.close();
  }
}
