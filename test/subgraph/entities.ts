/** Reading entities back in the subgraph tests, as plain JSON values. */
import type { Deployment } from '../../server/indexer/deployment';
import { decimalToString } from '../../server/runtime/numbers';
import { bytesToHex, type EntityData, type Value } from '../../server/runtime/values';

/** Store values as plain JSON: BigDecimal as graph-node prints it, BigInt as a decimal string, Bytes as hex. */
export function plain(v: Value | undefined): unknown {
  if (v === undefined) return undefined;
  switch (v.kind) {
    case 'BigDecimal':
      return decimalToString(v.value);
    case 'BigInt':
    case 'Int8':
    case 'Timestamp':
      return v.value.toString();
    case 'Bytes':
      return bytesToHex(v.value);
    case 'List':
      return v.value.map(plain);
    case 'Null':
      return null;
    default:
      return v.value;
  }
}

/** The latest version of an entity as plain JSON; throws when it does not exist. */
export function entity(d: Deployment, type: string, id: string): Record<string, unknown> {
  const data: EntityData | null = d.store.getLatest(type, id);
  if (!data) throw new Error(`no ${type} ${id}`);
  return Object.fromEntries([...data].map(([k, v]) => [k, plain(v)]));
}
