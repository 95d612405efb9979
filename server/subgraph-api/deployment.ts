/**
 * One served deployment: its store opened for reading, its API schema, and
 * what graph-node's DeploymentState holds (head block, first block with a
 * deterministic error). A new store connection sees blocks committed by an
 * indexer running beside it (WAL), so the head is read per query.
 */
import type Database from 'better-sqlite3';
import { SqliteStore } from '../store/sqlite-store';
import { buildApiSchema, type ApiSchema } from './api-schema';
import { errors } from './errors';
import { StatementCache } from './fetch';
import type { BlockAt } from './sql-filter';

export interface BlockRow {
  number: number;
  hash: string;
  /** Null for a block indexed with its parent unknown (svr index --unlinked-blocks). */
  parentHash: string | null;
  timestamp: number;
}

export interface ResolvedBlock extends BlockAt {
  /** null when the query named a block by number (graph-node then does not know the hash). */
  hash: string | null;
}

export class ServedDeployment {
  readonly api: ApiSchema;
  readonly db: Database.Database;
  readonly stmts: StatementCache;
  readonly deployment: string;

  constructor(
    readonly subgraph: string,
    readonly network: string,
    readonly store: SqliteStore,
  ) {
    if (!store.db.readonly) store.createAttributeIndexes();
    this.db = store.db;
    // graph-node's `like` is case-sensitive; SQLite's is not unless told.
    this.db.pragma('case_sensitive_like = ON');
    this.api = buildApiSchema(store.schema);
    this.stmts = new StatementCache(this.db);
    this.deployment = store.meta('deployment') ?? `${subgraph}/${network}`;
  }

  static open(path: string, subgraph: string, network: string, options: { readonly?: boolean } = {}): ServedDeployment {
    return new ServedDeployment(subgraph, network, SqliteStore.openExisting(path, options));
  }

  /**
   * Runs `read` in one read transaction: every statement sees the same
   * committed state (a WAL snapshot) however many blocks an indexer commits
   * meanwhile. Inside a transaction already, it joins it.
   */
  readTransaction<T>(read: () => T): T {
    if (this.db.inTransaction) return read();
    this.db.exec('BEGIN');
    try {
      return read();
    } finally {
      this.db.exec('COMMIT');
    }
  }

  head(): { number: number; hash: string } | null {
    const row = this.stmts.get(`SELECT number, hash FROM _svr_head WHERE id = 1`).get() as { number: bigint; hash: string } | undefined;
    return row ? { number: Number(row.number), hash: row.hash } : null;
  }

  block(number: number): BlockRow | null {
    const row = this.stmts.get(`SELECT number, hash, parent_hash, timestamp FROM _svr_blocks WHERE number = ?`).get(number) as
      | { number: bigint; hash: string; parent_hash: string; timestamp: bigint }
      | undefined;
    return row ? { number: Number(row.number), hash: row.hash, parentHash: row.parent_hash, timestamp: Number(row.timestamp) } : null;
  }

  blockNumberOfHash(hash: string): number | null {
    const row = this.stmts.get(`SELECT number FROM _svr_blocks WHERE hash = ?`).get(hash.toLowerCase()) as { number: bigint } | undefined;
    return row ? Number(row.number) : null;
  }

  /** The first block with a deterministic indexing error (graph-node's `first_error_block`). */
  firstErrorBlock(): number | null {
    const row = this.stmts.get(`SELECT min(block_number) AS b FROM _svr_errors WHERE deterministic = 1`).get() as { b: bigint | null };
    return row.b === null ? null : Number(row.b);
  }

  /** graph-node's `locate_blocks` for one `block` argument. */
  resolveBlock(arg: { hash?: string | null; number?: number | null; number_gte?: number | null } | null | undefined): ResolvedBlock {
    const head = this.head();
    if (!head) {
      throw errors.valueParse('block', `Subgraph \`${this.deployment}\` has not started syncing yet. Wait for it to ingest a few blocks before querying it`);
    }
    const notYet = (what: string, n: number) =>
      errors.valueParse(
        what,
        `subgraph ${this.deployment} has only indexed up to block number ${head.number} and data for block number ${n} is therefore not yet available`,
      );
    if (arg && arg.hash !== undefined && arg.hash !== null) {
      // graph-node's BlockHash parser drops every leading `0x` (trim_start_matches), so `bd34…` and `0x0xbd34…` name the same block.
      const hash = '0x' + arg.hash.replace(/^(0x)*/i, '').toLowerCase();
      const number = this.blockNumberOfHash(hash);
      if (number === null) throw errors.valueParse('block.hash', 'no block with that hash found');
      if (number > head.number) throw notYet('block.number', number);
      return { number, hash, latest: number === head.number };
    }
    if (arg && arg.number !== undefined && arg.number !== null) {
      if (arg.number > head.number) throw notYet('block.number', arg.number);
      return { number: arg.number, hash: null, latest: arg.number === head.number };
    }
    if (arg && arg.number_gte !== undefined && arg.number_gte !== null) {
      if (head.number < arg.number_gte) throw notYet('block.number_gte', arg.number_gte);
    }
    return { number: head.number, hash: head.hash, latest: true };
  }

  close(): void {
    this.store.close();
  }
}
