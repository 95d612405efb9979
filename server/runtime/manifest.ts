/**
 * The compiled subgraph as graph-cli's `graph build` writes it (build/subgraph.yaml
 * with its ABIs and wasm files), resolved into what the runtime needs:
 * data sources, templates, and each event handler's ABI event and topic0.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { keccak256, toBytes, type AbiEvent } from 'viem';
import { RuntimeError } from './errors';
import { canonicalType, eventDecoder, type EventParam } from './ethereum';

export interface EventHandler {
  event: string;
  handler: string;
  abiEvent: AbiEvent;
  topic0: string;
  /** topic1..topic3 filters: null means any. */
  topics: [string[] | null, string[] | null, string[] | null];
  receipt: boolean;
  /** Decodes a matching log's parameters; null when the log does not fit this event. */
  decode: (topics: readonly string[], data: string) => EventParam[] | null;
}

export type BlockHandlerFilter = { kind: 'every' } | { kind: 'once' } | { kind: 'polling'; every: number } | { kind: 'call' };

export interface BlockHandler {
  handler: string;
  filter: BlockHandlerFilter;
}

export interface DataSourceSpec {
  kind: string;
  name: string;
  network: string;
  /** Lower-case 0x address, or null for a template or a wildcard data source. */
  address: string | null;
  abiName: string;
  startBlock: number;
  endBlock: number | null;
  apiVersion: string;
  entities: string[];
  wasmPath: string;
  eventHandlers: EventHandler[];
  blockHandlers: BlockHandler[];
  abis: Map<string, unknown[]>;
}

export interface Manifest {
  buildDir: string;
  specVersion: string;
  schemaPath: string;
  schema: string;
  network: string;
  dataSources: DataSourceSpec[];
  templates: DataSourceSpec[];
}

/** The lowest mapping apiVersion whose event layout (receipt field) this runtime writes. */
const MIN_API_VERSION = [0, 0, 7];

function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < min.length; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i];
  }
  return true;
}

function eventSignature(event: AbiEvent, withIndexed: boolean): string {
  const inputs = event.inputs.map((i) => (withIndexed && i.indexed ? 'indexed ' : '') + canonicalType(i));
  return `${event.name}(${inputs.join(',')})`;
}

/** graph-node's rule: an exact match with `indexed` hints, else the only event of that name matching without them. */
function findEvent(abi: unknown[], signature: string): AbiEvent | undefined {
  const events = abi.filter((item): item is AbiEvent => (item as { type?: string }).type === 'event');
  const exact = events.find((e) => eventSignature(e, true) === signature);
  if (exact) return exact;
  const name = signature.slice(0, Math.max(0, signature.indexOf('(')));
  const named = events.filter((e) => e.name === name);
  return named.length === 1 && eventSignature(named[0], false) === signature ? named[0] : undefined;
}

function asList(value: unknown): string[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => String(v).toLowerCase());
}

function fail(buildDir: string, message: string): never {
  throw new RuntimeError(`${resolve(buildDir, 'subgraph.yaml')}: ${message}`);
}

function resolveDataSource(buildDir: string, raw: Record<string, any>, isTemplate: boolean): DataSourceSpec {
  const name = String(raw.name ?? '');
  if (!name) fail(buildDir, 'a data source has no name');
  const kind = String(raw.kind ?? '');
  if (kind !== 'ethereum' && kind !== 'ethereum/contract') {
    fail(buildDir, `data source ${name} has kind ${kind}; svr runs ethereum data sources only`);
  }
  const mapping = raw.mapping ?? {};
  const apiVersion = String(mapping.apiVersion ?? '');
  if (!versionAtLeast(apiVersion, MIN_API_VERSION)) {
    fail(buildDir, `data source ${name} uses mapping apiVersion ${apiVersion}; svr supports 0.0.7 and later (graph-cli 0.98 writes 0.0.9)`);
  }
  const abis = new Map<string, unknown[]>();
  for (const abi of mapping.abis ?? []) {
    const path = resolve(buildDir, abi.file);
    const parsed = JSON.parse(readFileSync(path, 'utf8'));
    abis.set(abi.name, Array.isArray(parsed) ? parsed : parsed.abi);
  }
  const abiName = String(raw.source?.abi ?? '');
  const contractAbi = abis.get(abiName);
  if (!contractAbi) fail(buildDir, `data source ${name}: its source ABI ${abiName} is not in mapping.abis`);
  const eventHandlers: EventHandler[] = (mapping.eventHandlers ?? []).map((h: Record<string, unknown>) => {
    const event = String(h.event);
    const abiEvent = findEvent(contractAbi, event);
    if (!abiEvent) {
      fail(buildDir, `Event with the signature "${event}" not found in contract "${abiName}" of data source "${name}"`);
    }
    return {
      event,
      handler: String(h.handler),
      abiEvent,
      topic0: keccak256(toBytes(event.replace(/indexed /g, '').replace(/ /g, ''))),
      topics: [asList(h.topic1), asList(h.topic2), asList(h.topic3)],
      receipt: h.receipt === true,
      decode: eventDecoder(abiEvent),
    };
  });
  const blockHandlers: BlockHandler[] = (mapping.blockHandlers ?? []).map((h: Record<string, any>) => {
    const f = h.filter;
    let filter: BlockHandlerFilter = { kind: 'every' };
    if (f?.kind === 'once') filter = { kind: 'once' };
    else if (f?.kind === 'polling') filter = { kind: 'polling', every: Number(f.every) };
    else if (f?.kind === 'call') filter = { kind: 'call' };
    else if (f) fail(buildDir, `block handler ${h.handler} has an unknown filter ${JSON.stringify(f)}`);
    return { handler: String(h.handler), filter };
  });
  if ((mapping.callHandlers ?? []).length > 0) {
    fail(buildDir, `data source ${name} has call handlers; they need transaction traces, which svr does not index`);
  }
  const wasmPath = resolve(buildDir, mapping.file);
  if (!existsSync(wasmPath)) fail(buildDir, `the mapping ${wasmPath} does not exist: run \`npm run build\``);
  const address = isTemplate || raw.source?.address === undefined ? null : String(raw.source.address).toLowerCase();
  return {
    kind,
    name,
    network: String(raw.network ?? ''),
    address,
    abiName,
    startBlock: Number(raw.source?.startBlock ?? 0),
    endBlock: raw.source?.endBlock === undefined ? null : Number(raw.source.endBlock),
    apiVersion,
    entities: (mapping.entities ?? []).map(String),
    wasmPath,
    eventHandlers,
    blockHandlers,
    abis,
  };
}

/** Loads `<buildDir>/subgraph.yaml` as graph-cli's build wrote it. */
export function loadManifest(manifestPath: string): Manifest {
  if (!existsSync(manifestPath)) {
    throw new RuntimeError(`${manifestPath} does not exist: build the subgraph first (\`npm run build\`)`);
  }
  const buildDir = dirname(manifestPath);
  const raw = parseYaml(readFileSync(manifestPath, 'utf8')) as Record<string, any>;
  const schemaPath = resolve(buildDir, raw.schema?.file ?? 'schema.graphql');
  const dataSources = (raw.dataSources ?? []).map((d: Record<string, any>) => resolveDataSource(buildDir, d, false));
  const templates = (raw.templates ?? []).map((d: Record<string, any>) => resolveDataSource(buildDir, d, true));
  const networks = new Set<string>([...dataSources, ...templates].map((d: DataSourceSpec) => d.network));
  if (networks.size !== 1) {
    fail(buildDir, `a deployment indexes one network, but its data sources name ${[...networks].join(', ') || 'none'}`);
  }
  return {
    buildDir,
    specVersion: String(raw.specVersion ?? ''),
    schemaPath,
    schema: readFileSync(schemaPath, 'utf8'),
    network: [...networks][0],
    dataSources,
    templates,
  };
}
