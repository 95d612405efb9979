/**
 * The per-block entity cache, with graph-node's semantics
 * (graph/src/components/store/entity_cache.rs and host_exports.rs store_set):
 * `store.set` merges a partial entity into what is there, a null field
 * removes it, entities are validated against the schema, reads see the
 * block's own writes, and at the end of the block the changes become one
 * modification per entity, none where nothing changed.
 */
import { decimalToString } from '../runtime/numbers';
import { RuntimeError } from '../runtime/errors';
import type { EntityAccess, GetScope } from '../runtime/host';
import { bytesToHex, entitiesEqual, hexToBytes, valueTypeName, valuesEqual, type EntityData, type Value } from '../runtime/values';
import type { EntityTypeSpec, FieldSpec, IdType, SubgraphSchema } from './schema';

/** What the cache reads from the committed store: the latest version of entities. */
export interface EntityReader {
  getLatest(entityType: string, id: string): EntityData | null;
  /** Latest versions of `entityType` whose `field` equals `value` or, for list fields, contains it. */
  getDerived(entityType: string, field: string, value: Value): Array<{ id: string; data: EntityData }>;
}

export type Modification =
  | { kind: 'insert'; entityType: string; id: string; data: EntityData }
  | { kind: 'overwrite'; entityType: string; id: string; data: EntityData }
  | { kind: 'remove'; entityType: string; id: string };

type Op = { kind: 'remove' } | { kind: 'update'; data: EntityData } | { kind: 'overwrite'; data: EntityData };

/** graph-node's Display for values, used in its validation messages. */
export function displayValue(value: Value): string {
  switch (value.kind) {
    case 'Bytes':
      return bytesToHex(value.value);
    case 'BigDecimal':
      return decimalToString(value.value);
    case 'List':
      return '[' + value.value.map(displayValue).join(', ') + ']';
    case 'Null':
      return 'null';
    default:
      return String(value.value);
  }
}

/** Rust's Debug form of a value and of an id, as graph-node prints them in the id-conflict error. */
function debugValue(value: Value): string {
  if (value.kind === 'String') return `String(${JSON.stringify(value.value)})`;
  if (value.kind === 'Int8') return `Int8(${value.value})`;
  return displayValue(value);
}

function debugId(idType: IdType, id: string): string {
  if (idType === 'String') return `String(Word(${JSON.stringify(id)}))`;
  return `${idType}(${id})`;
}

const CANONICAL_HEX = /^0x(?:[0-9a-f]{2})*$/;

/** The canonical text of an id, so that `0xAB` and `0xab` name the same Bytes entity. */
export function normalizeId(idType: IdType, id: string): string {
  if (idType === 'String') return id;
  if (idType === 'Bytes') {
    // Already canonical (what `toHexString()` gives) is the common case.
    if (CANONICAL_HEX.test(id)) return id;
    try {
      return bytesToHex(hexToBytes(id));
    } catch {
      throw new RuntimeError(`can not convert \`${id}\` to Id::Bytes`);
    }
  }
  if (!/^-?\d+$/.test(id)) throw new RuntimeError(`can not convert \`${id}\` to Id::Int8`);
  const v = BigInt(id);
  if (v < -(2n ** 63n) || v >= 2n ** 63n) throw new RuntimeError(`can not convert \`${id}\` to Id::Int8`);
  return v.toString();
}

export function idValue(idType: IdType, id: string): Value {
  if (idType === 'Bytes') return { kind: 'Bytes', value: hexToBytes(id) };
  if (idType === 'Int8') return { kind: 'Int8', value: BigInt(id) };
  return { kind: 'String', value: id };
}

function isAssignable(value: Value, field: FieldSpec, inList = false): boolean {
  if (value.kind === 'Null') return true;
  if (value.kind === 'List') return field.list && !inList && value.value.every((v) => isAssignable(v, field, true));
  return value.kind === field.valueKind;
}

/** Applies `update` to `target`; with `removeNulls`, a null in the update deletes the field. Returns whether anything changed. */
function merge(target: EntityData, update: EntityData, removeNulls: boolean): boolean {
  let changed = false;
  for (const [k, v] of update) {
    const old = target.get(k);
    if (removeNulls && v.kind === 'Null') {
      if (old !== undefined) {
        target.delete(k);
        changed = true;
      }
    } else if (old === undefined || !valuesEqual(old, v)) {
      target.set(k, v);
      changed = true;
    }
  }
  return changed;
}

function withoutNulls(data: EntityData): EntityData {
  for (const v of data.values()) {
    if (v.kind === 'Null') return new Map([...data].filter(([, w]) => w.kind !== 'Null'));
  }
  return new Map(data);
}

/**
 * The entity as the block's op leaves it. Not a copy where there is nothing
 * to merge: the callers (EntityAccess) only read it.
 */
function applyOp(op: Op | undefined, entity: EntityData | null): EntityData | null {
  if (!op) return entity;
  if (op.kind === 'remove') return null;
  if (op.kind === 'overwrite' || entity === null) return op.data;
  const merged = new Map(entity);
  merge(merged, op.data, true);
  return merged;
}

/**
 * Values by entity type, then id. Ids are often the very string objects the
 * runtime read before (its known strings), whose hashes V8 keeps, where a
 * joined `type + id` key would be a new string to hash on every lookup.
 */
export class EntityKeyed<V> {
  private readonly byType = new Map<string, Map<string, V>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(entityType: string, id: string): V | undefined {
    return this.byType.get(entityType)?.get(id);
  }

  has(entityType: string, id: string): boolean {
    return this.byType.get(entityType)?.has(id) ?? false;
  }

  set(entityType: string, id: string, value: V): void {
    let ids = this.byType.get(entityType);
    if (!ids) {
      ids = new Map();
      this.byType.set(entityType, ids);
    }
    if (!ids.has(id)) this.count++;
    ids.set(id, value);
  }

  clear(): void {
    this.byType.clear();
    this.count = 0;
  }
}

interface Update {
  entityType: string;
  id: string;
  op: Op;
  /** applyOp of the op on the stored entity, kept until the op changes (reads repeat within a block). */
  view?: EntityData | null;
}

export class EntityCache implements EntityAccess {
  private readonly current = new EntityKeyed<EntityData | null>();
  private readonly updates = new EntityKeyed<Update>();
  /** The updates in the order their entities were first written: the order of the block's modifications. */
  private readonly updateOrder: Update[] = [];

  constructor(
    private readonly schema: SubgraphSchema,
    private readonly reader: EntityReader,
    /** apiVersion >= 0.0.8 rejects fields the schema does not define. */
    private readonly rejectUnknownFields: boolean,
    /** The block being processed, for ids generated with `auto`. */
    private readonly blockNumber = 0,
    /** Its timestamp in seconds: a timeseries point's `timestamp`. */
    private readonly blockTimestamp = 0,
  ) {}

  private nextAutoId = 0;

  /** graph-node's IdType::generate_id: the block number in the upper 32 bits, a per-block sequence below. */
  private generateId(type: EntityTypeSpec): string {
    if (type.idType === 'String') throw new RuntimeError('String does not support generating ids');
    const seq = BigInt(this.nextAutoId++);
    const block = BigInt(this.blockNumber);
    if (type.idType === 'Int8') return BigInt.asIntN(64, (block << 32n) | seq).toString();
    return '0x' + block.toString(16).padStart(8, '0') + seq.toString(16).padStart(8, '0');
  }

  private entityType(name: string, op: string): EntityTypeSpec {
    const type = this.schema.entities.get(name);
    if (!type) {
      if (this.schema.interfaces.has(name) || this.schema.enums.has(name)) {
        throw new RuntimeError(`Cannot ${op} entity of type \`${name}\`. The type must be an @entity type`);
      }
      throw new RuntimeError(`Entity type \`${name}\` is not defined in the subgraph schema`);
    }
    return type;
  }

  private stored(type: string, id: string): EntityData | null {
    let entity = this.current.get(type, id);
    if (entity === undefined) {
      entity = this.reader.getLatest(type, id);
      this.current.set(type, id, entity);
    }
    return entity;
  }

  /** `next`'s map is the cache's from here on (set hands over a map of its own). */
  private pushOp(entityType: string, id: string, next: Op): void {
    const existing = this.updates.get(entityType, id);
    if (!existing) {
      const update = { entityType, id, op: next };
      this.updates.set(entityType, id, update);
      this.updateOrder.push(update);
      return;
    }
    existing.view = undefined;
    if (next.kind !== 'update') {
      existing.op = next;
      return;
    }
    const op = existing.op;
    // An update on a remove becomes an overwrite; updates accumulate, nulls included.
    if (op.kind === 'remove') existing.op = { kind: 'overwrite', data: next.data };
    else merge(op.data, next.data, false);
  }

  get(entityType: string, rawId: string, scope: GetScope): EntityData | null {
    const type = this.entityType(entityType, 'get');
    const id = normalizeId(type.idType, rawId);
    const update = this.updates.get(type.name, id);
    if (scope === 'block') return applyOp(update?.op, null);
    const base = this.stored(type.name, id);
    if (!update) return base;
    // The stored entity of a key does not change within a block, so the merged view holds until the next op.
    if (update.view === undefined) update.view = applyOp(update.op, base);
    return update.view;
  }

  set(entityType: string, rawId: string, data: EntityData): void {
    const type = this.entityType(entityType, 'set');
    // graph-node's store_set: a timeseries point always gets a generated id (whatever the mapping
    // passed) and the block's time as its timestamp, overriding what the mapping set.
    const generated = rawId === 'auto' || type.timeseries;
    const id = generated ? this.generateId(type) : normalizeId(type.idType, rawId);
    if (generated) data.set('id', idValue(type.idType, id));
    if (type.timeseries) data.set('timestamp', { kind: 'Timestamp', value: BigInt(this.blockTimestamp) * 1_000_000n });
    const keyId = idValue(type.idType, id);
    const given = data.get('id');
    if (given) {
      if (given.kind !== keyId.kind) {
        throw new RuntimeError(`Attribute \`${type.name}.id\` has wrong type: expected ${type.idType} but got ${valueTypeName(given)}`);
      }
      if (!valuesEqual(given, keyId)) {
        throw new RuntimeError(
          `Value of ${type.name} attribute 'id' conflicts with ID passed to \`store.set()\`: ${debugValue(given)} != ${debugId(type.idType, id)}`,
        );
      }
    } else data.set('id', keyId);

    let unknown: string[] | null = null;
    for (const f of data.keys()) if (!type.fieldsByName.has(f)) (unknown ??= []).push(f);
    if (unknown) {
      unknown.sort();
      if (this.rejectUnknownFields) {
        throw new RuntimeError(
          `Attempted to set undefined fields [${unknown.join(', ')}] for the entity type \`${type.name}\`. Make sure those fields are defined in the schema.`,
        );
      }
      for (const f of unknown) data.delete(f);
    }

    const partialError = this.validate(type, id, data);
    this.pushOp(type.name, id, { kind: 'update', data });
    if (partialError) {
      // Not valid alone: it may be a partial update; check the merged entity.
      const merged = this.get(type.name, id, 'store');
      const error = merged ? this.validate(type, id, merged) : partialError;
      if (error) throw new RuntimeError(error);
    }
  }

  /** graph-node's Entity::validate; returns the error message or null. */
  private validate(type: EntityTypeSpec, id: string, data: EntityData): string | null {
    for (const field of type.fields) {
      const value = data.get(field.name);
      if (field.derivedFrom) {
        if (value !== undefined) return `Entity ${type.name}[${id}]: field \`${field.name}\` is derived and cannot be set`;
        continue;
      }
      if (value === undefined) {
        if (field.nonNull) return `Entity ${type.name}[${id}]: missing value for non-nullable field \`${field.name}\``;
        continue;
      }
      if (field.list && value.kind === 'List') {
        const index = value.value.findIndex((e) => !isAssignable(e, field, true));
        if (index >= 0) {
          return (
            `Entity ${type.name}[${id}]: field \`${field.name}\` is of type ${field.display}, but the value \`${displayValue(value)}\` ` +
            `contains a ${valueTypeName(value.value[index])} at index ${index}`
          );
        }
      }
      if (!isAssignable(value, field)) {
        return (
          `Entity ${type.name}[${id}]: the value \`${displayValue(value)}\` for field \`${field.name}\` must have type ${field.display} ` +
          `but has type ${valueTypeName(value)}`
        );
      }
    }
    return null;
  }

  remove(entityType: string, rawId: string): void {
    const type = this.entityType(entityType, 'remove');
    this.pushOp(type.name, normalizeId(type.idType, rawId), { kind: 'remove' });
  }

  loadRelated(entityType: string, rawId: string, fieldName: string): EntityData[] {
    const type = this.entityType(entityType, 'load related entities of');
    const id = normalizeId(type.idType, rawId);
    const field = type.fieldsByName.get(fieldName);
    if (!field || !field.derivedFrom || !field.reference) {
      throw new RuntimeError(`Entity ${type.name}[${id}]: field is not derived \`${fieldName}\``);
    }
    const target = this.entityType(field.reference, 'load related entities of');
    const back = target.fieldsByName.get(field.derivedFrom);
    if (!back) throw new RuntimeError(`Entity ${target.name} has no field \`${field.derivedFrom}\` that ${type.name}.${fieldName} derives from`);
    const value = idValue(type.idType, id);
    const candidates = new Map<string, EntityData | null>();
    for (const { id: childId, data } of this.reader.getDerived(target.name, back.name, value)) {
      if (!this.current.has(target.name, childId)) this.current.set(target.name, childId, data);
      candidates.set(childId, data);
    }
    for (const u of this.updateOrder) {
      if (u.entityType === target.name && !candidates.has(u.id)) candidates.set(u.id, null);
    }
    const result: EntityData[] = [];
    for (const [childId, base] of candidates) {
      const entity = applyOp(this.updates.get(target.name, childId)?.op, base);
      if (!entity) continue;
      const v = entity.get(back.name);
      if (v && (valuesEqual(v, value) || (v.kind === 'List' && v.value.some((e) => valuesEqual(e, value))))) result.push(entity);
    }
    return result;
  }

  /** The block's changes, one per entity, none where nothing changes (graph-node's as_modifications). */
  modifications(): Modification[] {
    const mods = this.collectModifications();
    // A null on a required field passes store.set (null is assignable to any type) but the
    // write fails in graph-node, whose columns are NOT NULL: fail the block the same way.
    for (const m of mods) {
      if (m.kind === 'remove') continue;
      const type = this.schema.entities.get(m.entityType)!;
      const missing = type.fields.find((f) => f.nonNull && !f.derivedFrom && !m.data.has(f.name));
      if (missing) throw new RuntimeError(`Entity ${type.name}[${m.id}]: missing value for non-nullable field \`${missing.name}\``);
    }
    return mods;
  }

  private collectModifications(): Modification[] {
    const mods: Modification[] = [];
    for (const { entityType, id, op } of this.updateOrder) {
      const current = this.schema.entities.get(entityType)!.immutable ? null : this.stored(entityType, id);
      if (op.kind === 'remove') {
        if (current) mods.push({ kind: 'remove', entityType, id });
        continue;
      }
      if (!current) {
        mods.push({ kind: 'insert', entityType, id, data: withoutNulls(op.data) });
        continue;
      }
      if (op.kind === 'update') {
        const data = new Map(current);
        if (merge(data, op.data, true)) mods.push({ kind: 'overwrite', entityType, id, data });
      } else {
        const data = withoutNulls(op.data);
        if (!entitiesEqual(current, data)) mods.push({ kind: 'overwrite', entityType, id, data });
      }
    }
    return mods;
  }
}
