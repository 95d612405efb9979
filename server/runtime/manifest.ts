/**
 * The compiled subgraph as graph-cli's `graph build` writes it (build/subgraph.yaml
 * with its ABIs and wasm files), resolved into what the runtime needs:
 * data sources, templates, and each event handler's ABI event and topic0.
 */
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { keccak256, toBytes, type AbiEvent } from 'viem';
import { apiVersionAtLeast, compareVersions, MAX_API_VERSION, MIN_API_VERSION } from './api-version';
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
  /** The one mapping apiVersion all data sources and templates share (graph-node's UnifiedMappingApiVersion). */
  apiVersion: string;
  schemaPath: string;
  schema: string;
  network: string;
  dataSources: DataSourceSpec[];
  templates: DataSourceSpec[];
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

/** `built`: the manifest graph-cli wrote (mapping files are wasm); otherwise the sources it builds from. */
function resolveDataSource(buildDir: string, raw: Record<string, any>, isTemplate: boolean, built: boolean): DataSourceSpec {
  const name = String(raw.name ?? '');
  if (!name) fail(buildDir, 'a data source has no name');
  const kind = String(raw.kind ?? '');
  if (kind !== 'ethereum' && kind !== 'ethereum/contract') {
    fail(buildDir, `data source ${name} has kind ${kind}; svr runs ethereum data sources only`);
  }
  const mapping = raw.mapping ?? {};
  const apiVersion = String(mapping.apiVersion ?? '');
  if (!/^\d+\.\d+\.\d+$/.test(apiVersion)) {
    fail(buildDir, `data source ${name} has mapping apiVersion "${apiVersion}": give a version such as ${MAX_API_VERSION}`);
  }
  if (compareVersions(apiVersion, MIN_API_VERSION) < 0) {
    fail(
      buildDir,
      `data source ${name} uses mapping apiVersion ${apiVersion}; svr runs ${MIN_API_VERSION} to ${MAX_API_VERSION} ` +
        `(older mappings use AssemblyScript 0.6's memory layout): set apiVersion to ${MIN_API_VERSION} or later and rebuild with graph-cli 0.98`,
    );
  }
  if (compareVersions(apiVersion, MAX_API_VERSION) > 0) {
    fail(buildDir, `The maximum supported mapping API version of this indexer is ${MAX_API_VERSION}, but \`${apiVersion}\` was found`);
  }
  const abis = new Map<string, unknown[]>();
  for (const abi of mapping.abis ?? []) {
    const path = resolve(buildDir, String(abi.file ?? ''));
    if (!abi.file || !existsSync(path)) fail(buildDir, `data source ${name}: ABI ${abi.name} has no file at ${path}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      fail(buildDir, `data source ${name}: ABI ${abi.name} (${path}) is not JSON: ${(e as Error).message}`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { abi?: unknown }).abi;
    if (!Array.isArray(list)) fail(buildDir, `data source ${name}: ABI ${abi.name} (${path}) is neither an ABI array nor an object with an abi array`);
    abis.set(String(abi.name), list);
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
      // graph-node fetches receipts only for apiVersion 0.0.7 and later, whose Event has the field.
      receipt: h.receipt === true && apiVersionAtLeast(apiVersion, '0.0.7'),
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
  const wasmPath = resolve(buildDir, String(mapping.file ?? ''));
  if (!mapping.file || !existsSync(wasmPath)) {
    fail(buildDir, built ? `the mapping ${wasmPath} does not exist: run \`npm run build\`` : `data source ${name}: its mapping file ${wasmPath} does not exist`);
  }
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

interface ParsedManifest {
  raw: Record<string, any>;
  schemaPath: string;
  dataSources: DataSourceSpec[];
  templates: DataSourceSpec[];
  apiVersion: string;
}

function parseManifest(manifestPath: string, built: boolean): ParsedManifest {
  const dir = dirname(manifestPath);
  let raw: Record<string, any>;
  try {
    raw = parseYaml(readFileSync(manifestPath, 'utf8')) as Record<string, any>;
  } catch (e) {
    throw new RuntimeError(`${manifestPath} is not valid YAML: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object') throw new RuntimeError(`${manifestPath} is not a subgraph manifest (no mapping at its top level)`);
  const schemaPath = resolve(dir, String(raw.schema?.file ?? 'schema.graphql'));
  if (!existsSync(schemaPath)) fail(dir, `its schema file ${schemaPath} does not exist`);
  if (!Array.isArray(raw.dataSources) || raw.dataSources.length === 0) fail(dir, 'it has no dataSources: a subgraph needs at least one');
  const dataSources = raw.dataSources.map((d: Record<string, any>) => resolveDataSource(dir, d, false, built));
  const templates = (raw.templates ?? []).map((d: Record<string, any>) => resolveDataSource(dir, d, true, built));
  const versions = [...new Set([...dataSources, ...templates].map((d: DataSourceSpec) => d.apiVersion))].sort(compareVersions);
  if (versions.length !== 1) fail(dir, `Expected a single apiVersion for mappings. Found: ${versions.join(', ')}.`);
  return { raw, schemaPath, dataSources, templates, apiVersion: versions[0] };
}

/**
 * Every check loadManifest makes that the sources already allow: run before
 * the minutes of `graph build`, so that a manifest svr cannot run fails at once.
 * The network is not checked here: `graph build --network` rewrites it.
 */
export function checkSourceManifest(manifestPath: string): void {
  if (!existsSync(manifestPath)) throw new RuntimeError(`${manifestPath} does not exist: give a folder with a subgraph.yaml`);
  parseManifest(manifestPath, false);
}

/** Loads `<buildDir>/subgraph.yaml` as graph-cli's build wrote it. */
export function loadManifest(manifestPath: string): Manifest {
  if (!existsSync(manifestPath)) {
    throw new RuntimeError(`${manifestPath} does not exist: build the subgraph first (\`npm run build\`)`);
  }
  const buildDir = dirname(manifestPath);
  const { raw, schemaPath, dataSources, templates, apiVersion } = parseManifest(manifestPath, true);
  const networks = new Set<string>([...dataSources, ...templates].map((d: DataSourceSpec) => d.network));
  if (networks.size !== 1) {
    fail(buildDir, `a deployment indexes one network, but its data sources name ${[...networks].join(', ') || 'none'}`);
  }
  return {
    buildDir,
    specVersion: String(raw.specVersion ?? ''),
    apiVersion,
    schemaPath,
    schema: readFileSync(schemaPath, 'utf8'),
    network: [...networks][0],
    dataSources,
    templates,
  };
}
