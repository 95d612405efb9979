/**
 * The newest figures the subscriptions delivered, per deployment and for the
 * total. A view built from POSTed queries shows these instead where they are
 * of a newer block: a query answered just after a new head can still come from
 * the gateway's head cache (cache.ttlSeconds), and the page never goes back
 * to an older block than one it has shown.
 */
export interface Snapshot {
  protocol: string;
  network: string | null;
  blockNumber: number | null;
  [field: string]: unknown;
}

const deployments = new Map<string, Snapshot>();
let total: { snapshot: Snapshot; blocks: Map<string, number> } | null = null;

export function recordDeployment(snapshot: Snapshot): void {
  const key = `${snapshot.protocol}/${snapshot.network}`;
  const known = deployments.get(key);
  if (!known || (snapshot.blockNumber ?? 0) >= (known.blockNumber ?? 0)) deployments.set(key, snapshot);
}

export function recordTotal(snapshot: Snapshot, blocks: { deployment: string | null; number: number }[]): void {
  total = { snapshot, blocks: new Map(blocks.filter((b) => b.deployment).map((b) => [b.deployment!, b.number])) };
}

/** The newer of a queried deployment snapshot and the live one. */
export function newestDeployment<T extends Snapshot>(queried: T): T {
  const live = deployments.get(`${queried.protocol}/${queried.network}`);
  return live && (live.blockNumber ?? 0) > (queried.blockNumber ?? 0) ? ({ ...queried, ...live } as T) : queried;
}

/** The live total when it was computed at a newer block of some deployment than the queried rows were read at. */
export function newestTotal<T extends Snapshot>(queried: T, rows: Snapshot[]): T {
  if (!total || total.snapshot.protocol !== queried.protocol) return queried;
  const newer = rows.some((r) => (total!.blocks.get(`${r.protocol}/${r.network}`) ?? 0) > (r.blockNumber ?? 0));
  return newer ? ({ ...queried, ...total.snapshot } as T) : queried;
}
