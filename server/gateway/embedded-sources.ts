/**
 * Which of a data directory's deployments the gateway reads by default. The
 * gateway's queries are written against svr's common schema
 * (subgraph/schema.graphql); a store indexed from someone else's subgraph is
 * still served at /subgraphs, but reading it as a source would only fail
 * ("Cannot query field protocols") and mark every answer incomplete.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import type { SourceDefinition } from '../sources';
import { parseSchema, type SubgraphSchema } from '../store/schema';
import type { DeploymentRegistry } from '../subgraph-api';

export const COMMON_SCHEMA_PATH = join(PROJECT_ROOT, 'subgraph', 'schema.graphql');

let commonSchema: SubgraphSchema | null = null;
function common(): SubgraphSchema {
  commonSchema ??= parseSchema(readFileSync(COMMON_SCHEMA_PATH, 'utf8'));
  return commonSchema;
}

/**
 * Why a store's schema is not svr's common schema, or null when it is: every
 * entity type of the common schema, with every field of the same type. A
 * store may define more (a newer common schema's additions are then absent
 * from older stores, and those are refused too: the gateway asks for them).
 */
export function commonSchemaMismatch(schema: SubgraphSchema, reference: SubgraphSchema = common()): string | null {
  for (const [name, type] of reference.entities) {
    const theirs = schema.entities.get(name);
    if (!theirs) return `it has no entity type ${name}`;
    for (const field of type.fields) {
      const other = theirs.fieldsByName.get(field.name);
      if (!other) return `${name} has no field ${field.name}`;
      if (other.display !== field.display) return `${name}.${field.name} is ${other.display}, not ${field.display}`;
    }
  }
  return null;
}

export interface EmbeddedSources {
  /** The deployments in svr's common schema, as sources at this server's own subgraph endpoints. */
  sources: SourceDefinition[];
  /** The others, served at /subgraphs only, with the reason. */
  servedOnly: Array<{ subgraph: string; network: string; reason: string }>;
}

export function embeddedSources(deployments: DeploymentRegistry, baseUrl: string): EmbeddedSources {
  const out: EmbeddedSources = { sources: [], servedOnly: [] };
  for (const d of deployments.list()) {
    const reason = commonSchemaMismatch(d.store.schema);
    if (reason === null) out.sources.push({ protocol: d.subgraph, network: d.network, url: `${baseUrl}/subgraphs/name/${d.subgraph}/${d.network}` });
    else out.servedOnly.push({ subgraph: d.subgraph, network: d.network, reason: `not svr's common schema: ${reason}` });
  }
  // A store that cannot be opened is a source too: its endpoint's error puts it in every answer's missingSources.
  for (const d of deployments.unavailable()) out.sources.push({ protocol: d.subgraph, network: d.network, url: `${baseUrl}/subgraphs/name/${d.subgraph}/${d.network}` });
  return out;
}
