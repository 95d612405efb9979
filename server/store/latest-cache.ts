/**
 * Keeps the latest committed version of recently used entities in memory, so
 * that a handler's `store.get` of an entity written a few blocks ago does not
 * go to SQLite (graph-node keeps an LFU cache across blocks for the same
 * reason). It is updated from each committed block's modifications, so it is
 * never ahead of or behind the store.
 */
import type { EntityData, Value } from '../runtime/values';
import { EntityKeyed, type EntityReader, type Modification } from './entity-cache';

export class LatestEntityCache implements EntityReader {
  private readonly entities = new EntityKeyed<EntityData | null>();

  constructor(
    private readonly store: EntityReader,
    private readonly maxEntries = 200_000,
  ) {}

  getLatest(entityType: string, id: string): EntityData | null {
    const cached = this.entities.get(entityType, id);
    if (cached !== undefined) return cached;
    const entity = this.store.getLatest(entityType, id);
    this.remember(entityType, id, entity);
    return entity;
  }

  getDerived(entityType: string, field: string, value: Value): Array<{ id: string; data: EntityData }> {
    return this.store.getDerived(entityType, field, value);
  }

  /** Call after the block's modifications were committed. */
  applyCommitted(modifications: Modification[]): void {
    for (const m of modifications) this.remember(m.entityType, m.id, m.kind === 'remove' ? null : m.data);
  }

  /** Forget everything, e.g. after a block failed to commit or the store was rolled back. */
  clear(): void {
    this.entities.clear();
  }

  private remember(entityType: string, id: string, entity: EntityData | null): void {
    // A crude bound: past the limit start afresh; the hot entities come back within a block or two.
    if (this.entities.size >= this.maxEntries) this.entities.clear();
    this.entities.set(entityType, id, entity);
  }
}
