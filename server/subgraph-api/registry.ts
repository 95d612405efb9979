/**
 * The deployments found in a data directory: every `<subgraph>/<network>.sqlite`
 * (the layout `svr index` writes, server/indexer/deployment.ts storePath),
 * served at `/subgraphs/name/<subgraph>/<network>` and, as graph-node also
 * does, at `/subgraphs/id/<deployment>`.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ServedDeployment } from './deployment';

export class DeploymentRegistry {
  private readonly byName = new Map<string, ServedDeployment>();
  private readonly byId = new Map<string, ServedDeployment>();

  static scan(dataDir: string): DeploymentRegistry {
    const registry = new DeploymentRegistry();
    if (!existsSync(dataDir)) return registry;
    for (const sub of readdirSync(dataDir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const file of readdirSync(join(dataDir, sub.name))) {
        if (!file.endsWith('.sqlite')) continue;
        registry.add(ServedDeployment.open(join(dataDir, sub.name, file), sub.name, file.slice(0, -'.sqlite'.length)));
      }
    }
    return registry;
  }

  add(dep: ServedDeployment): void {
    this.byName.set(`${dep.subgraph}/${dep.network}`, dep);
    this.byId.set(dep.deployment, dep);
  }

  byPath(path: string): ServedDeployment | undefined {
    const name = /^\/subgraphs\/name\/(.+?)\/?$/.exec(path);
    if (name) return this.byName.get(decodeURIComponent(name[1]));
    const id = /^\/subgraphs\/id\/([^/]+)\/?$/.exec(path);
    if (id) return this.byId.get(decodeURIComponent(id[1]));
    return undefined;
  }

  list(): ServedDeployment[] {
    return [...this.byName.values()];
  }

  close(): void {
    for (const d of this.byName.values()) d.close();
  }
}
