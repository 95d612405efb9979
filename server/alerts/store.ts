/**
 * Alert state in SQLite (better-sqlite3), so that it survives a restart: the
 * rules made through the API, every event (what fired or resolved, when, at
 * which block, acknowledged or not), each rule's current state per scope (so
 * a restarted gateway does not fire again for a crossing it already told), and
 * the webhook deliveries still owed (an outbox: a delivery is written with its
 * event, in one transaction, and removed from the owed ones only once the
 * receiver answered 2xx). Replicas on one host may share the file: a delivery
 * is leased before it is sent. An event keeps the provenance of the figure
 * that crossed (server/gateway/provenance.ts), as the answer that carried the
 * figure stated it.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AlertRule, AlertState, RuleProgress } from './rules';

export interface AlertBlock {
  number: number;
  hash: string;
  timestamp: number | null;
  deployment: string | null;
}

/** The provenance of the figure an event is about, as the gateway's Provenance type shapes it (record: canonical JSON; digest: its sha256). */
export interface AlertProvenance {
  methodologyVersion: number;
  query: string;
  parameters: string;
  reads: Array<{ protocol: string; network: string; deployment: string | null; blockNumber: number; blockHash: string | null; timestamp: number | null }>;
  record: string;
  digest: string;
}

export interface StoredAlertEvent {
  id: string;
  rule: AlertRule;
  state: AlertState;
  protocol: string | null;
  network: string | null;
  /** The scope the rule was checked over (a deployment, or an aggregate's selection). */
  scope: string;
  value: string | null;
  threshold: string;
  block: AlertBlock | null;
  /** Unix seconds. */
  at: number;
  acknowledged: boolean;
  message: string;
  /** What the figure was computed from; null for the status kinds (LAG_ABOVE, DEPLOYMENT_FAILING, SOURCE_MISSING), which no methodology defines. */
  provenance: AlertProvenance | null;
}

export interface Delivery {
  eventId: string;
  webhookId: string;
  body: string;
  attempts: number;
  nextAtMs: number;
}

export class AlertStore {
  private readonly db: Database.Database;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rules (id TEXT PRIMARY KEY, kind TEXT NOT NULL, protocol TEXT, network TEXT, threshold TEXT NOT NULL, clear_at TEXT, created_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (
        id TEXT PRIMARY KEY, rule_id TEXT NOT NULL, rule_json TEXT NOT NULL, state TEXT NOT NULL, protocol TEXT, network TEXT, scope TEXT NOT NULL,
        value TEXT, threshold TEXT NOT NULL, block_json TEXT, at INTEGER NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0, acknowledged_at INTEGER, message TEXT NOT NULL, seq INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS events_by_seq ON events (seq);
      CREATE TABLE IF NOT EXISTS progress (rule_id TEXT NOT NULL, scope TEXT NOT NULL, state TEXT NOT NULL, event_id TEXT, PRIMARY KEY (rule_id, scope));
      CREATE TABLE IF NOT EXISTS deliveries (
        event_id TEXT NOT NULL, webhook_id TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending', last_error TEXT, lease_until INTEGER, delivered_at INTEGER, PRIMARY KEY (event_id, webhook_id));
    `);
    // State files from before events kept their figure's provenance: their events have none.
    const columns = (this.db.prepare('PRAGMA table_info(events)').all() as Array<{ name: string }>).map((c) => c.name);
    if (!columns.includes('provenance_json')) this.db.exec('ALTER TABLE events ADD COLUMN provenance_json TEXT');
  }

  apiRules(): AlertRule[] {
    const rows = this.db.prepare('SELECT * FROM rules ORDER BY created_at, id').all() as Array<Record<string, string | null>>;
    return rows.map((r) => ({ id: r.id!, kind: r.kind as AlertRule['kind'], protocol: r.protocol, network: r.network, threshold: r.threshold!, clearAt: r.clear_at, origin: 'api' }));
  }

  addRule(rule: AlertRule): void {
    this.db.prepare('INSERT INTO rules (id, kind, protocol, network, threshold, clear_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(rule.id, rule.kind, rule.protocol, rule.network, rule.threshold, rule.clearAt, Date.now());
  }

  deleteRule(id: string): boolean {
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM progress WHERE rule_id = ?').run(id);
      return this.db.prepare('DELETE FROM rules WHERE id = ?').run(id).changes > 0;
    })();
  }

  /** Each scope's state of a rule, as last recorded. */
  progress(ruleId: string): Map<string, RuleProgress> {
    const rows = this.db.prepare('SELECT scope, state FROM progress WHERE rule_id = ?').all(ruleId) as Array<{ scope: string; state: AlertState }>;
    return new Map(rows.map((r) => [r.scope, { state: r.state, streak: 0 }]));
  }

  /**
   * A transition: the scope's new state, and (when this replica owns the
   * crossing) the event and its webhook deliveries, in one transaction. An
   * event already recorded (the same crossing seen again) is kept as it was.
   */
  recordTransition(event: StoredAlertEvent, owned: boolean, webhookIds: readonly string[], body: string): void {
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO progress (rule_id, scope, state, event_id) VALUES (?, ?, ?, ?) ON CONFLICT (rule_id, scope) DO UPDATE SET state = excluded.state, event_id = excluded.event_id')
        .run(event.rule.id, event.scope, event.state, event.id);
      const inserted = this.db
        .prepare(`INSERT OR IGNORE INTO events (id, rule_id, rule_json, state, protocol, network, scope, value, threshold, block_json, at, message, provenance_json, seq)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM events))`)
        .run(
          event.id,
          event.rule.id,
          JSON.stringify(event.rule),
          event.state,
          event.protocol,
          event.network,
          event.scope,
          event.value,
          event.threshold,
          event.block ? JSON.stringify(event.block) : null,
          event.at,
          event.message,
          event.provenance ? JSON.stringify(event.provenance) : null,
        );
      if (!owned || inserted.changes === 0) return;
      const add = this.db.prepare('INSERT OR IGNORE INTO deliveries (event_id, webhook_id, body, next_at) VALUES (?, ?, ?, ?)');
      for (const w of webhookIds) add.run(event.id, w, body, Date.now());
    })();
  }

  private eventOf(r: Record<string, unknown>): StoredAlertEvent {
    return {
      id: r.id as string,
      rule: JSON.parse(r.rule_json as string) as AlertRule,
      state: r.state as AlertState,
      protocol: r.protocol as string | null,
      network: r.network as string | null,
      scope: r.scope as string,
      value: r.value as string | null,
      threshold: r.threshold as string,
      block: r.block_json ? (JSON.parse(r.block_json as string) as AlertBlock) : null,
      at: r.at as number,
      acknowledged: r.acknowledged === 1,
      message: r.message as string,
      provenance: r.provenance_json ? (JSON.parse(r.provenance_json as string) as AlertProvenance) : null,
    };
  }

  event(id: string): StoredAlertEvent | null {
    const row = this.db.prepare('SELECT * FROM events WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? this.eventOf(row) : null;
  }

  events(options: { first: number; state?: AlertState | null; since?: number | null }): StoredAlertEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE (? IS NULL OR state = ?) AND (? IS NULL OR at >= ?) ORDER BY seq DESC LIMIT ?')
      .all(options.state ?? null, options.state ?? null, options.since ?? null, options.since ?? null, options.first) as Array<Record<string, unknown>>;
    return rows.map((r) => this.eventOf(r));
  }

  /** The event that put each firing (rule, scope) into FIRING. */
  firing(): StoredAlertEvent[] {
    const rows = this.db.prepare("SELECT e.* FROM progress p JOIN events e ON e.id = p.event_id WHERE p.state = 'FIRING' ORDER BY e.seq DESC").all() as Array<Record<string, unknown>>;
    return rows.map((r) => this.eventOf(r));
  }

  acknowledge(id: string): StoredAlertEvent | null {
    this.db.prepare('UPDATE events SET acknowledged = 1, acknowledged_at = COALESCE(acknowledged_at, ?) WHERE id = ?').run(Math.floor(Date.now() / 1000), id);
    return this.event(id);
  }

  /** Deliveries due now, each leased to the caller for leaseMs (so a replica sharing the file does not send it too). */
  leaseDue(limit: number, leaseMs: number): Delivery[] {
    const now = Date.now();
    return this.db.transaction(() => {
      const rows = this.db
        .prepare("SELECT event_id, webhook_id, body, attempts, next_at FROM deliveries WHERE status = 'pending' AND next_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_at LIMIT ?")
        .all(now, now, limit) as Array<{ event_id: string; webhook_id: string; body: string; attempts: number; next_at: number }>;
      const lease = this.db.prepare('UPDATE deliveries SET lease_until = ? WHERE event_id = ? AND webhook_id = ?');
      for (const r of rows) lease.run(now + leaseMs, r.event_id, r.webhook_id);
      return rows.map((r) => ({ eventId: r.event_id, webhookId: r.webhook_id, body: r.body, attempts: r.attempts, nextAtMs: r.next_at }));
    })();
  }

  delivered(d: Delivery): void {
    this.db.prepare("UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?, lease_until = NULL WHERE event_id = ? AND webhook_id = ?").run(Date.now(), d.eventId, d.webhookId);
  }

  /** A failed attempt: tried again at nextAtMs, or given up (status 'failed') when that was the last attempt. */
  failed(d: Delivery, error: string, nextAtMs: number | null): void {
    this.db
      .prepare('UPDATE deliveries SET attempts = attempts + 1, last_error = ?, next_at = COALESCE(?, next_at), status = CASE WHEN ? IS NULL THEN \'failed\' ELSE status END, lease_until = NULL WHERE event_id = ? AND webhook_id = ?')
      .run(error, nextAtMs, nextAtMs, d.eventId, d.webhookId);
  }

  deliveries(): Array<{ eventId: string; webhookId: string; status: string; attempts: number; lastError: string | null }> {
    const rows = this.db.prepare('SELECT event_id, webhook_id, status, attempts, last_error FROM deliveries ORDER BY event_id, webhook_id').all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({ eventId: r.event_id as string, webhookId: r.webhook_id as string, status: r.status as string, attempts: r.attempts as number, lastError: r.last_error as string | null }));
  }

  /** When the next pending delivery is due (ms), or null. */
  nextDue(): number | null {
    const row = this.db.prepare("SELECT MIN(next_at) AS t FROM deliveries WHERE status = 'pending'").get() as { t: number | null };
    return row.t;
  }

  close(): void {
    this.db.close();
  }
}
