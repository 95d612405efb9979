/**
 * One deployment's entities in one SQLite file (better-sqlite3).
 *
 * Every entity version keeps the block range it is valid in, [from, to), with
 * `to` NULL while it is current, so the state at any past block can be read
 * and a reorg can be undone. Immutable entities have one version, valid from
 * the block that created them. All changes of a block are committed in one
 * transaction together with the block pointer: a crash leaves either the whole
 * block or none of it, and a restart resumes after the last committed block.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { EntityData, Value } from '../runtime/values';
import { fromSql, sqlColumnType, toSql, type SqlValue } from './codec';
import { idValue, type EntityReader, type Modification } from './entity-cache';
import { rollupRows, type SqlRow } from './rollup';
import { AGGREGATION_INTERVALS, parseSchema, type EntityTypeSpec, type FieldSpec, type FulltextSpec, type SubgraphSchema } from './schema';

export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface BlockPointer {
  number: number;
  hash: string;
  /** Null when the block was indexed with its parent unknown (svr index --unlinked-blocks). */
  parentHash: string | null;
  timestamp: number;
}

export interface DeploymentInfo {
  /** Content hash of the compiled subgraph (manifest, schema, ABIs and wasm). */
  deployment: string;
  subgraph: string;
  network: string;
  startBlock: number;
}

export interface IndexingError {
  blockNumber: number;
  blockHash: string;
  handler: string;
  message: string;
  deterministic: boolean;
}

export interface StoredDataSource {
  template: string;
  /** Lower-case 0x address the data source was created for (params[0]). */
  address: string;
  params: string[];
  /** The context entity as JSON of [field, tagged value] pairs. */
  context: string | null;
  creationBlock: number;
}

const q = (name: string) => '"' + name.replace(/"/g, '""') + '"';

export function idToSql(type: EntityTypeSpec, id: string): SqlValue {
  return toSql(idValue(type.idType, id));
}

/** Queries pinned to a block by hash (`block: { hash }`, what the gateway sends) look the block up by hash. */
const BLOCK_HASH_INDEX = 'CREATE INDEX IF NOT EXISTS _svr_blocks_hash ON _svr_blocks (hash);';

export class SqliteStore implements EntityReader {
  readonly db: Database.Database;
  readonly schema: SubgraphSchema;
  private readonly stmts = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, schema: SubgraphSchema) {
    this.db = db;
    this.schema = schema;
  }

  /** Opens (creating if needed) the store for a deployment. Refuses a file made for another schema. */
  static open(path: string, schemaSource: string, info: DeploymentInfo): SqliteStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // Each block's savepoint keeps the pages it changes in a statement journal: in memory, not a
    // temporary file (written and read back block after block, that file cost a third of the writes' time).
    db.pragma('temp_store = MEMORY');
    db.defaultSafeIntegers(true);
    const schema = parseSchema(schemaSource);
    const store = new SqliteStore(db, schema);
    store.initialize(schemaSource, info);
    return store;
  }

  /**
   * Opens an existing store for serving, with the schema it was created with;
   * `readonly` for the reader pool's connections. A file that is not an svr
   * store (not SQLite, truncated, another schema) is a StoreError naming it.
   */
  static openExisting(path: string, options: { readonly?: boolean } = {}): SqliteStore {
    let db: Database.Database | null = null;
    try {
      db = new Database(path, { fileMustExist: true, readonly: options.readonly ?? false });
      if (!options.readonly) db.pragma('journal_mode = WAL');
      db.defaultSafeIntegers(true);
      const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_svr_meta'`).get();
      const row = hasMeta ? (db.prepare(`SELECT value FROM _svr_meta WHERE key = 'schema'`).get() as { value: string } | undefined) : undefined;
      if (!row) throw new StoreError('NOT_A_STORE', `${path} is not an svr store (no schema recorded): index into it with \`svr index\`, or move it out of the data directory`);
      if (!options.readonly) db.exec(BLOCK_HASH_INDEX); // stores written before the index existed gain it here
      const store = new SqliteStore(db, parseSchema(row.value));
      // Older stores gain their fulltext tables here (a read-only connection finds them made by the writer's open).
      if (!options.readonly) store.ensureFulltextTables();
      // Reading every table's first page finds a truncated file now rather than at the first query.
      for (const type of store.tables()) db.prepare(`SELECT 1 FROM ${q(type.name)} LIMIT 1`).get();
      db.prepare(`SELECT number FROM _svr_head LIMIT 1`).get();
      return store;
    } catch (e) {
      db?.close();
      if (e instanceof StoreError) throw e;
      const reason = (e as { code?: string }).code ?? 'SQLITE_ERROR';
      throw new StoreError('STORE_UNREADABLE', `${path} cannot be opened as an svr store (${reason}: ${(e as Error).message}); restore it from a backup or delete it and index again`);
    }
  }

  private initialize(schemaSource: string, info: DeploymentInfo): void {
    const schemaHash = createHash('sha256').update(schemaSource).digest('hex');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS _svr_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _svr_blocks (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT, timestamp INTEGER NOT NULL);
      ${BLOCK_HASH_INDEX}
      CREATE TABLE IF NOT EXISTS _svr_head (id INTEGER PRIMARY KEY CHECK (id = 1), number INTEGER NOT NULL, hash TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _svr_errors (block_number INTEGER NOT NULL, block_hash TEXT NOT NULL, handler TEXT NOT NULL, message TEXT NOT NULL, deterministic INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS _svr_data_sources (seq INTEGER PRIMARY KEY, template TEXT NOT NULL, address TEXT NOT NULL, params TEXT NOT NULL, context TEXT, creation_block INTEGER NOT NULL);
    `);
    const meta = this.db.prepare(`SELECT key, value FROM _svr_meta`).all() as Array<{ key: string; value: string }>;
    const existing = new Map(meta.map((r) => [r.key, r.value]));
    if (existing.size > 0) {
      if (existing.get('schema_hash') !== schemaHash) {
        throw new StoreError(
          'SCHEMA_CHANGED',
          `this data directory was indexed with a different schema for ${info.subgraph}/${info.network}; ` +
            'delete its store file (or use another --data directory) to index from scratch',
        );
      }
      if (existing.get('deployment') !== info.deployment) {
        throw new StoreError(
          'DEPLOYMENT_CHANGED',
          `the store for ${info.subgraph}/${info.network} was indexed by another build of the subgraph (${existing.get('deployment')}); ` +
            `this build is ${info.deployment}. Delete the store file (or use another --data directory) to re-index with it`,
        );
      }
      this.ensureFulltextTables();
      return;
    }
    const setMeta = this.db.prepare(`INSERT INTO _svr_meta (key, value) VALUES (?, ?)`);
    this.db.transaction(() => {
      setMeta.run('schema', schemaSource);
      setMeta.run('schema_hash', schemaHash);
      setMeta.run('deployment', info.deployment);
      setMeta.run('subgraph', info.subgraph);
      setMeta.run('network', info.network);
      setMeta.run('start_block', String(info.startBlock));
      for (const type of this.tables()) this.createTable(type);
      for (const spec of this.schema.fulltext) this.createFulltextTable(spec);
      this.createRollupIndexes();
    })();
  }

  /**
   * A fulltext field's FTS5 table: one row per version of the entity, keyed by
   * the version's __vid, holding its searched fields. Postgres' English
   * stemming is approximated with FTS5's Porter stemmer; other languages are
   * tokenized without stemming.
   */
  private createFulltextTable(spec: FulltextSpec): void {
    const tokenize = spec.language === 'en' ? 'porter unicode61' : 'unicode61';
    this.db.exec(`CREATE VIRTUAL TABLE ${q(fulltextTable(spec))} USING fts5(doc, tokenize = '${tokenize}')`);
  }

  /** Stores indexed before svr had fulltext search gain their tables, filled from every stored version. */
  private ensureFulltextTables(): void {
    for (const spec of this.schema.fulltext) {
      const exists = this.db.prepare(`SELECT 1 FROM sqlite_master WHERE name = ?`).get(fulltextTable(spec));
      if (exists) continue;
      this.db.transaction(() => {
        this.createFulltextTable(spec);
        const doc = spec.fields.map((f) => `coalesce(${q(f)}, '')`).join(` || ' ' || `);
        this.db.exec(`INSERT INTO ${q(fulltextTable(spec))} (rowid, doc) SELECT __vid, ${doc} FROM ${q(spec.entity)}`);
      })();
    }
  }

  /**
   * Rollups read a bucket of points by timestamp, a group's previous row by
   * its dimensions and timestamp, and the current bucket starts after the
   * latest rolled-up timestamp: indexed from the start, unlike the attribute
   * indexes, or each closed bucket would scan the whole timeseries.
   */
  private createRollupIndexes(): void {
    for (const agg of this.schema.aggregations.values()) {
      this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(agg.source.name + '__points')} ON ${q(agg.source.name)} (timestamp)`);
      for (const table of agg.tables.values()) {
        const dims = agg.dimensions.map((d) => q(d.name) + ', ').join('');
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(table.name + '__bucket')} ON ${q(table.name)} (timestamp)`);
        if (dims) this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(table.name + '__group')} ON ${q(table.name)} (${dims}timestamp)`);
      }
    }
  }

  /** Every table of entity versions: the entity types', then one per aggregation and interval. */
  tables(): EntityTypeSpec[] {
    return [...this.schema.entities.values(), ...[...this.schema.aggregations.values()].flatMap((a) => [...a.tables.values()])];
  }

  private createTable(type: EntityTypeSpec): void {
    const t = q(type.name);
    const idCol = type.idType === 'Bytes' ? 'BLOB' : type.idType === 'Int8' ? 'INTEGER' : 'TEXT';
    const cols = type.fields
      .filter((f) => !f.derivedFrom && f.name !== 'id')
      .map((f) => `${q(f.name)} ${sqlColumnType(f)}`);
    this.db.exec(`CREATE TABLE ${t} (__vid INTEGER PRIMARY KEY, id ${idCol} NOT NULL, __from INTEGER NOT NULL, __to INTEGER${cols.map((c) => ', ' + c).join('')})`);
    if (type.immutable) {
      this.db.exec(`CREATE UNIQUE INDEX ${q(type.name + '__id')} ON ${t} (id)`);
    } else {
      this.db.exec(`CREATE UNIQUE INDEX ${q(type.name + '__current')} ON ${t} (id) WHERE __to IS NULL`);
      this.db.exec(`CREATE INDEX ${q(type.name + '__id_range')} ON ${t} (id, __from)`);
    }
  }

  /**
   * Indexes on every attribute, for queries that filter and order on them.
   * Like graph-node with GRAPH_POSTPONE_ATTRIBUTE_INDEX_CREATION, they are
   * created once a run of indexing ends rather than at the start: maintaining
   * them block by block more than halves the indexing rate. Idempotent.
   */
  createAttributeIndexes(): void {
    // Building an index sorts the table: let the sort spill to temporary files, SQLite's default, rather
    // than to memory (temp_store = MEMORY is for the blocks' savepoint journals). It changes outside a transaction only.
    const journalsInMemory = !this.db.readonly && Number(this.db.pragma('temp_store', { simple: true })) === 2;
    if (journalsInMemory) {
      this.flush();
      this.db.pragma('temp_store = DEFAULT');
    }
    try {
      this.buildAttributeIndexes();
    } finally {
      if (journalsInMemory) this.db.pragma('temp_store = MEMORY');
    }
  }

  private buildAttributeIndexes(): void {
    this.db.transaction(() => {
      for (const type of this.tables()) {
        // Block-range indexes serve `_change_block` filters and rolling back to a block.
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(type.name + '__from')} ON ${q(type.name)} (__from)`);
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(type.name + '__to')} ON ${q(type.name)} (__to) WHERE __to IS NOT NULL`);
        for (const f of type.fields) {
          if (f.derivedFrom || f.name === 'id' || f.list) continue;
          this.db.exec(`CREATE INDEX IF NOT EXISTS ${q(`${type.name}__${f.name}`)} ON ${q(type.name)} (${q(f.name)}, id)`);
        }
      }
    })();
  }

  private stmt(sql: string): Database.Statement {
    let s = this.stmts.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.stmts.set(sql, s);
    }
    return s;
  }

  entityType(name: string): EntityTypeSpec {
    const type = this.schema.entities.get(name);
    if (!type) throw new StoreError('UNKNOWN_ENTITY_TYPE', `unknown entity type ${name}`);
    return type;
  }

  /** Turns a row into entity data; absent (NULL) columns are left out, as graph-node leaves out null fields. */
  rowToEntity(type: EntityTypeSpec, row: Record<string, unknown>): EntityData {
    const data: EntityData = new Map();
    data.set('id', fromSql(row.id, type.fieldsByName.get('id')!));
    for (const f of type.fields) {
      if (f.derivedFrom || f.name === 'id') continue;
      const raw = row[f.name];
      if (raw !== null && raw !== undefined) data.set(f.name, fromSql(raw, f));
    }
    return data;
  }

  getLatest(entityType: string, id: string): EntityData | null {
    const type = this.entityType(entityType);
    const row = this.stmt(`SELECT * FROM ${q(type.name)} WHERE id = ? AND __to IS NULL`).get(idToSql(type, id)) as
      | Record<string, unknown>
      | undefined;
    return row ? this.rowToEntity(type, row) : null;
  }

  /** The version of an entity valid at `block`. */
  getAt(entityType: string, id: string, block: number): EntityData | null {
    const type = this.entityType(entityType);
    const row = this.stmt(
      `SELECT * FROM ${q(type.name)} WHERE id = ? AND __from <= ? AND (__to IS NULL OR __to > ?)`,
    ).get(idToSql(type, id), block, block) as Record<string, unknown> | undefined;
    return row ? this.rowToEntity(type, row) : null;
  }

  /** Every entity of a type valid at `block` (default: the latest), ordered by id. */
  list(entityType: string, block?: number): EntityData[] {
    const type = this.entityType(entityType);
    const rows =
      block === undefined
        ? this.stmt(`SELECT * FROM ${q(type.name)} WHERE __to IS NULL ORDER BY id`).all()
        : this.stmt(`SELECT * FROM ${q(type.name)} WHERE __from <= ? AND (__to IS NULL OR __to > ?) ORDER BY id`).all(block, block);
    return (rows as Record<string, unknown>[]).map((r) => this.rowToEntity(type, r));
  }

  getDerived(entityType: string, field: string, value: Value): Array<{ id: string; data: EntityData }> {
    const type = this.entityType(entityType);
    const spec = type.fieldsByName.get(field)!;
    const sqlValue = toSql(value);
    const rows = spec.list
      ? this.stmt(
          `SELECT * FROM ${q(type.name)} WHERE __to IS NULL AND EXISTS (SELECT 1 FROM json_each(${q(field)}) WHERE json_each.value = ?)`,
        ).all(value.kind === 'Bytes' ? '0x' + Buffer.from(value.value).toString('hex') : sqlValue)
      : this.stmt(`SELECT * FROM ${q(type.name)} WHERE __to IS NULL AND ${q(field)} = ?`).all(sqlValue);
    return (rows as Record<string, unknown>[]).map((r) => {
      const data = this.rowToEntity(type, r);
      return { id: idText(data.get('id')!), data };
    });
  }

  private cachedHead: { number: number; hash: string } | null | undefined;

  head(): { number: number; hash: string } | null {
    if (this.cachedHead !== undefined) return this.cachedHead;
    const row = this.stmt(`SELECT number, hash FROM _svr_head WHERE id = 1`).get() as { number: bigint; hash: string } | undefined;
    this.cachedHead = row ? { number: Number(row.number), hash: row.hash } : null;
    return this.cachedHead;
  }

  block(number: number): BlockPointer | null {
    const row = this.stmt(`SELECT number, hash, parent_hash, timestamp FROM _svr_blocks WHERE number = ?`).get(number) as
      | { number: bigint; hash: string; parent_hash: string; timestamp: bigint }
      | undefined;
    return row ? { number: Number(row.number), hash: row.hash, parentHash: row.parent_hash, timestamp: Number(row.timestamp) } : null;
  }

  blockByHash(hash: string): BlockPointer | null {
    const row = this.stmt(`SELECT number FROM _svr_blocks WHERE hash = ?`).get(hash.toLowerCase()) as { number: bigint } | undefined;
    return row ? this.block(Number(row.number)) : null;
  }

  /** Recorded blocks at or below `number`, highest first (a reorg's search for the common ancestor). */
  blocksAtOrBelow(number: number, limit: number): BlockPointer[] {
    const rows = this.stmt(`SELECT number, hash, parent_hash, timestamp FROM _svr_blocks WHERE number <= ? ORDER BY number DESC LIMIT ?`).all(number, limit) as Array<{
      number: bigint;
      hash: string;
      parent_hash: string;
      timestamp: bigint;
    }>;
    return rows.map((r) => ({ number: Number(r.number), hash: r.hash, parentHash: r.parent_hash, timestamp: Number(r.timestamp) }));
  }

  meta(key: string): string | null {
    const row = this.stmt(`SELECT value FROM _svr_meta WHERE key = ?`).get(key) as { value: string } | undefined;
    return row ? row.value : null;
  }

  errors(): IndexingError[] {
    const rows = this.stmt(`SELECT * FROM _svr_errors ORDER BY block_number`).all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      blockNumber: Number(r.block_number),
      blockHash: String(r.block_hash),
      handler: String(r.handler),
      message: String(r.message),
      deterministic: Number(r.deterministic) === 1,
    }));
  }

  hasIndexingErrors(): boolean {
    return this.stmt(`SELECT 1 FROM _svr_errors WHERE deterministic = 1 LIMIT 1`).get() !== undefined;
  }

  dataSources(): StoredDataSource[] {
    const rows = this.stmt(`SELECT * FROM _svr_data_sources ORDER BY seq`).all() as Array<Record<string, unknown>>;
    return rows.map((r) => ({
      template: String(r.template),
      address: String(r.address),
      params: JSON.parse(String(r.params)),
      context: r.context === null ? null : String(r.context),
      creationBlock: Number(r.creation_block),
    }));
  }

  /** Blocks applied since the open write transaction began, and when it began. */
  private batchBlocks = 0;
  private batchStarted = 0;
  /** Commit the open write transaction after this many blocks or milliseconds, whichever comes first. */
  batchLimits = { blocks: 500, milliseconds: 1000 };

  /**
   * Applies one block: its entity changes, the data sources it created and the
   * new head, all or nothing (a savepoint; the head row itself is written when
   * the batch commits). Like graph-node during sync,
   * consecutive blocks share one write transaction, committed every few
   * hundred blocks or every second and by `flush()`: a crash loses at most the
   * uncommitted blocks, whole, and the head committed with them says where to
   * resume, so no block is ever half applied or applied twice.
   */
  commitBlock(block: BlockPointer, modifications: Modification[], created: StoredDataSource[]): void {
    const head = this.head();
    if (head && block.number <= head.number) {
      throw new StoreError('BLOCK_OUT_OF_ORDER', `block ${block.number} is not after the store's head ${head.number}`);
    }
    if (!this.db.inTransaction) {
      this.db.exec('BEGIN');
      this.batchBlocks = 0;
      this.batchStarted = Date.now();
    }
    this.db.exec('SAVEPOINT block');
    try {
      for (const m of modifications) this.applyModification(block.number, m);
      if (head && this.schema.aggregations.size > 0) this.rollup(block, this.block(head.number)!.timestamp);
      const insertDs = this.stmt(
        `INSERT INTO _svr_data_sources (template, address, params, context, creation_block) VALUES (?, ?, ?, ?, ?)`,
      );
      for (const d of created) insertDs.run(d.template, d.address, JSON.stringify(d.params), d.context, d.creationBlock);
      this.stmt(`INSERT OR REPLACE INTO _svr_blocks (number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?)`).run(
        block.number,
        block.hash,
        block.parentHash,
        block.timestamp,
      );
      this.db.exec('RELEASE block');
      // The head row is written once, when the batch commits (flush): only committed rows are seen by
      // other connections, and this one answers head() from cachedHead.
      this.cachedHead = { number: block.number, hash: block.hash };
      this.headUnwritten = true;
    } catch (e) {
      this.db.exec('ROLLBACK TO block');
      this.db.exec('RELEASE block');
      throw e;
    }
    this.batchBlocks++;
    if (this.batchBlocks >= this.batchLimits.blocks || Date.now() - this.batchStarted >= this.batchLimits.milliseconds) this.flush();
  }

  /**
   * graph-node's Layout::rollup: when this block's time falls in a later
   * bucket of an interval than the previous block's, the bucket the previous
   * block was in, [start, start + interval), is complete and its rows are
   * written at this block. Later buckets before this block's hold no points
   * (no block wrote any), so they have no rows.
   */
  private rollup(block: BlockPointer, previousTimestamp: number): void {
    for (const agg of this.schema.aggregations.values()) {
      for (const [interval, table] of agg.tables) {
        const length = AGGREGATION_INTERVALS[interval];
        const start = Math.floor(previousTimestamp / length) * length;
        // Not past the bucket's end (a block time that does not increase closes nothing, as graph-node's buckets() is empty then).
        if (block.timestamp < start + length) continue;
        const startMicros = BigInt(start) * 1_000_000n;
        // Block times that went back (not Ethereum's, but a test chain's) could close a bucket twice: once is enough.
        if (this.stmt(`SELECT 1 FROM ${q(table.name)} WHERE timestamp >= ? LIMIT 1`).get(startMicros)) continue;
        const points = this.stmt(`SELECT * FROM ${q(agg.source.name)} WHERE timestamp >= ? AND timestamp < ? ORDER BY id`).all(
          startMicros,
          startMicros + BigInt(length) * 1_000_000n,
        ) as SqlRow[];
        if (points.length === 0) continue;
        const dims = agg.dimensions.map((d) => ` AND ${q(d.name)} IS ?`).join('');
        const previous = this.stmt(`SELECT * FROM ${q(table.name)} WHERE timestamp < ?${dims} ORDER BY timestamp DESC LIMIT 1`);
        const rows = rollupRows(agg, points, () => startMicros, (row) => (previous.get(startMicros, ...agg.dimensions.map((d) => row[d.name] as SqlValue)) as SqlRow | undefined) ?? null);
        const columns = table.fields.filter((f) => f.name !== 'id');
        const insert = this.stmt(`INSERT INTO ${q(table.name)} (id, __from${columns.map((f) => ', ' + q(f.name)).join('')}) VALUES (?, ?${', ?'.repeat(columns.length)})`);
        for (const row of rows) insert.run(row.id as bigint, block.number, ...columns.map((f) => row[f.name] as SqlValue));
      }
    }
  }

  /**
   * Undoes every block after `blockNumber` (a reorg, or an operator rewinding):
   * versions created after it disappear, versions closed after it are current
   * again, and data sources, block records and errors after it are dropped.
   * The block itself must be one the store has indexed.
   */
  revertTo(blockNumber: number): void {
    const target = this.block(blockNumber);
    if (!target) {
      throw new StoreError('UNKNOWN_BLOCK', `cannot revert to block ${blockNumber}: the store has no record of it`);
    }
    this.flush();
    this.db.transaction(() => {
      for (const spec of this.schema.fulltext) {
        this.db.prepare(`DELETE FROM ${q(fulltextTable(spec))} WHERE rowid IN (SELECT __vid FROM ${q(spec.entity)} WHERE __from > ?)`).run(blockNumber);
      }
      // Aggregation rows are immutable versions written at the block whose time closed their bucket: they go with it.
      for (const type of this.tables()) {
        this.db.prepare(`DELETE FROM ${q(type.name)} WHERE __from > ?`).run(blockNumber);
        if (!type.immutable) this.db.prepare(`UPDATE ${q(type.name)} SET __to = NULL WHERE __to > ?`).run(blockNumber);
      }
      this.db.prepare(`DELETE FROM _svr_data_sources WHERE creation_block > ?`).run(blockNumber);
      this.db.prepare(`DELETE FROM _svr_errors WHERE block_number > ?`).run(blockNumber);
      this.db.prepare(`DELETE FROM _svr_blocks WHERE number > ?`).run(blockNumber);
      this.db.prepare(`UPDATE _svr_head SET number = ?, hash = ? WHERE id = 1`).run(target.number, target.hash);
    })();
    this.cachedHead = { number: target.number, hash: target.hash };
  }

  /** The head of the blocks applied in the open write transaction, not yet in _svr_head. */
  private headUnwritten = false;

  /** Commits the open write transaction, if any, with the head it reached. */
  flush(): void {
    if (!this.db.inTransaction) return;
    if (this.headUnwritten) {
      const head = this.cachedHead!;
      this.stmt(`INSERT INTO _svr_head (id, number, hash) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET number = excluded.number, hash = excluded.hash`).run(
        head.number,
        head.hash,
      );
      this.headUnwritten = false;
    }
    this.db.exec('COMMIT');
  }

  /** Records a deterministic indexing error: the deployment stops at this block. Nothing of the block is applied. */
  recordError(error: IndexingError): void {
    this.flush();
    this.stmt(`INSERT INTO _svr_errors (block_number, block_hash, handler, message, deterministic) VALUES (?, ?, ?, ?, ?)`).run(
      error.blockNumber,
      error.blockHash,
      error.handler,
      error.message,
      error.deterministic ? 1 : 0,
    );
  }

  private readonly writers = new Map<
    string,
    { close: Database.Statement; insert: Database.Statement; columns: FieldSpec[]; fulltext: Array<{ insert: Database.Statement; fields: string[] }> }
  >();

  /** The statements that write one entity type, prepared once. */
  private writer(type: EntityTypeSpec) {
    let w = this.writers.get(type.name);
    if (!w) {
      const t = q(type.name);
      const columns = type.fields.filter((f) => !f.derivedFrom && f.name !== 'id');
      w = {
        close: this.db.prepare(`UPDATE ${t} SET __to = ? WHERE id = ? AND __to IS NULL`),
        insert: this.db.prepare(
          `INSERT INTO ${t} (id, __from${columns.map((f) => ', ' + q(f.name)).join('')}) VALUES (?, ?${', ?'.repeat(columns.length)})`,
        ),
        columns,
        fulltext: this.schema.fulltext
          .filter((f) => f.entity === type.name)
          .map((f) => ({ insert: this.db.prepare(`INSERT INTO ${q(fulltextTable(f))} (rowid, doc) VALUES (?, ?)`), fields: f.fields })),
      };
      this.writers.set(type.name, w);
    }
    return w;
  }

  private applyModification(block: number, m: Modification): void {
    const type = this.entityType(m.entityType);
    const w = this.writer(type);
    const id = idToSql(type, m.id);
    if (m.kind !== 'insert') {
      if (type.immutable) {
        throw new StoreError('IMMUTABLE_ENTITY', `entity ${type.name}[${m.id}] is immutable and cannot be ${m.kind === 'remove' ? 'removed' : 'updated'}`);
      }
      w.close.run(block, id);
    }
    if (m.kind === 'remove') return;
    const values: SqlValue[] = [id, block];
    for (const f of w.columns) {
      const v = m.data.get(f.name);
      values.push(v === undefined ? null : toSql(v));
    }
    try {
      const { lastInsertRowid } = w.insert.run(values);
      for (const f of w.fulltext) {
        const doc = f.fields.map((name) => m.data.get(name)).filter((v): v is Extract<Value, { kind: 'String' }> => v?.kind === 'String').map((v) => v.value);
        f.insert.run(lastInsertRowid, doc.join(' '));
      }
    } catch (e) {
      if (type.immutable && /UNIQUE/.test((e as Error).message)) {
        throw new StoreError('IMMUTABLE_ENTITY', `entity ${type.name}[${m.id}] is immutable and already exists; it cannot be written again`);
      }
      throw e;
    }
  }

  /**
   * A digest over every entity version and the head, to compare two stores
   * (a resumed index against an uninterrupted one, say).
   */
  digest(): string {
    const hash = createHash('sha256');
    for (const type of this.tables().sort((a, b) => a.name.localeCompare(b.name))) {
      const rows = this.db.prepare(`SELECT * FROM ${q(type.name)} ORDER BY id, __from`).all() as Record<string, unknown>[];
      for (const row of rows) {
        const { __vid: _vid, ...rest } = row;
        hash.update(type.name + JSON.stringify(rest, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v)) + '\n');
      }
    }
    hash.update(JSON.stringify(this.head()));
    return hash.digest('hex');
  }

  close(): void {
    this.flush();
    this.db.close();
  }
}

/** The FTS5 table of a fulltext search field. */
export function fulltextTable(spec: FulltextSpec): string {
  return `_svr_fts_${spec.name}`;
}

export function idText(value: Value): string {
  if (value.kind === 'Bytes') return '0x' + Buffer.from(value.value).toString('hex');
  if (value.kind === 'String') return value.value;
  if (value.kind === 'Int8') return value.value.toString();
  throw new StoreError('BAD_ID', `an entity id cannot be a ${value.kind}`);
}
