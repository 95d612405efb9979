/**
 * The deployments found in a data directory: every `<subgraph>/<network>.sqlite`
 * (the layout `svr index` writes, server/indexer/deployment.ts storePath),
 * served at `/subgraphs/name/<subgraph>/<network>` and, as graph-node also
 * does, at `/subgraphs/id/<deployment>`.
 *
 * A store that cannot be opened (truncated, not SQLite, not an svr store) does
 * not stop the others from being served: it is reported (`onUnavailable`) and
 * kept as unavailable, and its endpoint answers why.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServedDeployment } from './deployment';

export interface UnavailableDeployment {
  subgraph: string;
  network: string;
  path: string;
  /** Why it cannot be served, and what to do. */
  reason: string;
}

export interface ScanOptions {
  onUnavailable?: (store: UnavailableDeployment) => void;
}

export class DeploymentRegistry {
  private readonly byName = new Map<string, ServedDeployment>();
  private readonly byId = new Map<string, ServedDeployment>();
  private readonly broken = new Map<string, UnavailableDeployment>();

  static scan(dataDir: string, options: ScanOptions = {}): DeploymentRegistry {
    const registry = new DeploymentRegistry();
    if (!existsSync(dataDir)) return registry;
    for (const sub of readdirSync(dataDir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const file of readdirSync(join(dataDir, sub.name))) {
        if (!file.endsWith('.sqlite')) continue;
        const network = file.slice(0, -'.sqlite'.length);
        const path = join(dataDir, sub.name, file);
        try {
          registry.add(ServedDeployment.open(path, sub.name, network));
        } catch (e) {
          const store = { subgraph: sub.name, network, path, reason: (e as Error).message };
          registry.broken.set(`${sub.name}/${network}`, store);
          options.onUnavailable?.(store);
        }
      }
    }
    return registry;
  }

  add(dep: ServedDeployment): void {
    this.byName.set(`${dep.subgraph}/${dep.network}`, dep);
    this.byId.set(dep.deployment, dep);
  }

  private static nameOf(path: string): string | null {
    const name = /^\/subgraphs\/name\/(.+?)\/?$/.exec(path);
    return name ? decodeURIComponent(name[1]) : null;
  }

  /** The deployment served at a URL path; `path` must decode (the HTTP layer answers 400 first when not). */
  byPath(path: string): ServedDeployment | undefined {
    const name = DeploymentRegistry.nameOf(path);
    if (name !== null) return this.byName.get(name);
    const id = /^\/subgraphs\/id\/([^/]+)\/?$/.exec(path);
    if (id) return this.byId.get(decodeURIComponent(id[1]));
    return undefined;
  }

  /** The store at a URL path that was found but cannot be served. */
  unavailableAt(path: string): UnavailableDeployment | undefined {
    const name = DeploymentRegistry.nameOf(path);
    return name === null ? undefined : this.broken.get(name);
  }

  list(): ServedDeployment[] {
    return [...this.byName.values()];
  }

  /** Stores found in the data directory that cannot be served. */
  unavailable(): UnavailableDeployment[] {
    return [...this.broken.values()];
  }

  close(): void {
    for (const d of this.byName.values()) d.close();
  }
}
