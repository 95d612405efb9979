/**
 * A small demo data directory for the gateway tests: the synthetic demo chain
 * (server/demo), indexed by the graph-cli-built subgraphs for every demo
 * deployments. Built once per content (seed, days, the built subgraphs, the code that makes and indexes the chain) under
 * .svr-cache/test-demo/ and reused by later test files and runs; built into a
 * temporary folder and renamed into place, so a half-built one is never used.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSubgraph } from '../../server/compile/graph-build';
import { runDemo } from '../../server/demo';
import { startServer, syntheticDataset, type GatewayConfig, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { indexFiles } from '../../server/indexer/index-files';
import pino from 'pino';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');

export const DEMO_DEPLOYMENTS = [
  'aave-v3/arbitrum-one',
  'aave-v3/avalanche',
  'aave-v3/base',
  'aave-v3/bsc',
  'aave-v3/gnosis',
  'aave-v3/mainnet',
  'aave-v3/matic',
  'aave-v3/optimism',
  'gmx-v1/arbitrum-one',
  'gmx-v1/avalanche',
  'gmx-v2/arbitrum-one',
  'gmx-v2/avalanche',
  'synthetix-perps-v2/optimism',
];

/** A digest of the TypeScript sources under these folders of server/, by path and content. */
function sourcesDigest(folders: readonly string[]): string {
  const hash = createHash('sha256');
  const visit = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts')) hash.update(path.slice(ROOT.length)).update(readFileSync(path));
    }
  };
  for (const f of folders) visit(join(ROOT, 'server', f));
  return hash.digest('hex').slice(0, 16);
}

export async function demoDataDir(options: { seed?: number; days?: number } = {}): Promise<string> {
  const seed = options.seed ?? 3;
  const days = options.days ?? 1;
  const manifests = new Map<string, string>();
  for (const key of DEMO_DEPLOYMENTS) {
    const [subgraph, network] = key.split('/');
    manifests.set(key, buildSubgraph({ subgraphDir: join(SUBGRAPHS, subgraph), network, sourceRoot: SUBGRAPHS }));
  }
  // The built manifests' paths carry their content hashes: new mappings, new data. So does the code that makes
  // the chain and indexes it: the demo, the ingest, the runtime, the store (everything in server/ but the gateway's read side).
  const contentKey = [...manifests.values()].map((m) => /-([0-9a-f]{16})\//.exec(m)?.[1] ?? m).join('-') + sourcesDigest(['demo', 'ingest', 'indexer', 'numeric', 'runtime', 'store']);
  const parent = join(ROOT, '.svr-cache', 'test-demo');
  const dir = join(parent, `seed${seed}-days${days}-${createHash('sha256').update(contentKey).digest('hex').slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  mkdirSync(parent, { recursive: true });
  const work = mkdtempSync(join(parent, 'building-'));
  const data = join(work, 'data');
  const results = runDemo({ out: join(work, 'chain'), seed, days });
  for (const r of results) {
    await indexFiles({ manifestPath: manifests.get(`${r.subgraph}/${r.network}`)!, subgraph: r.subgraph, dataDir: data, logsPath: r.logsPath, blocksPath: r.blocksPath });
  }
  try {
    renameSync(data, dir);
  } catch (e) {
    if (!existsSync(dir)) throw e;
  }
  rmSync(work, { recursive: true, force: true });
  return dir;
}

export async function startDemoGateway(dataDir: string, config: Partial<GatewayConfig> = {}): Promise<RunningServer> {
  // The directory holds the demo chain's indexed data, but not `svr start`'s marker (the chain is built beside it): say so.
  return startServer({ dataDir, port: 0, host: '127.0.0.1', config: { ...loadConfig({ env: {} }), ...config }, logger: pino({ level: 'silent' }), dataset: syntheticDataset({}) });
}

export interface GraphQLAnswer<T = Record<string, any>> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export async function post<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>): Promise<GraphQLAnswer<T>> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as Omit<GraphQLAnswer<T>, 'status'>;
  return { status: res.status, ...body };
}

/** Runs `svr replay <args>` in this process and returns what it printed (console.log's lines). */
export async function replayCli(args: string[]): Promise<string[]> {
  const { program } = await import('../../server/cli');
  const printed: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((text: string) => void printed.push(text));
  try {
    await program().parseAsync(['node', 'svr', 'replay', ...args]);
  } finally {
    log.mockRestore();
  }
  return printed;
}

/** The page's and explorer's bundles (bin/build-web.js, skipped when current): the server reads them when it starts. */
export async function buildWeb(): Promise<void> {
  const { buildWeb: build } = require('../../bin/build-web.js') as { buildWeb: () => Promise<boolean> };
  await build();
}
