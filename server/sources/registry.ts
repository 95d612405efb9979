/**
 * The sources the gateway reads: one subgraph endpoint per protocol and
 * network, from the config file or, by default, the embedded endpoints of the
 * deployments found in the data directory.
 */
export interface SourceDefinition {
  /** The protocol id: the subgraph folder name (gmx-v1, synthetix-perps-v2, aave-v3). */
  protocol: string;
  /** graph-cli's network name (arbitrum-one, avalanche, optimism, mainnet, base, matic, bsc, gnosis, scroll). */
  network: string;
  /** The subgraph's GraphQL endpoint (an embedded one, or any graph-node's). */
  url: string;
  /** Extra request headers, e.g. an Authorization header read from the environment. */
  headers?: Record<string, string>;
  /** graph-node's index-node status endpoint (e.g. http://graph-node:8030/graphql), for the chain head and lag. */
  statusUrl?: string;
}

export function sourceKey(s: { protocol: string; network: string }): string {
  return `${s.protocol}/${s.network}`;
}

export class SourceRegistry {
  private readonly byKey = new Map<string, SourceDefinition>();

  constructor(sources: readonly SourceDefinition[]) {
    for (const s of sources) {
      const key = sourceKey(s);
      if (this.byKey.has(key)) throw new Error(`the source ${key} is configured twice`);
      this.byKey.set(key, s);
    }
  }

  list(): SourceDefinition[] {
    return [...this.byKey.values()].sort((a, b) => sourceKey(a).localeCompare(sourceKey(b)));
  }

  get(protocol: string, network: string): SourceDefinition | undefined {
    return this.byKey.get(sourceKey({ protocol, network }));
  }

  protocols(): string[] {
    return [...new Set(this.list().map((s) => s.protocol))];
  }

  networksOf(protocol: string): string[] {
    return this.list()
      .filter((s) => s.protocol === protocol)
      .map((s) => s.network);
  }

  /** The sources whose protocol and network are in the given lists (all of them where a list is absent). */
  select(protocols?: readonly string[] | null, networks?: readonly string[] | null): SourceDefinition[] {
    return this.list().filter((s) => (!protocols || protocols.includes(s.protocol)) && (!networks || networks.includes(s.network)));
  }
}
