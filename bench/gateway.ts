/**
 * npm run bench:gateway
 *
 * `ratios` over all seven demo deployments (with per-market and per-token
 * detail), through the gateway, cold and warm cache, against the slowest
 * single upstream query measured in the same run: for each deployment, the
 * very document the gateway sends it (Protocol, markets, collateral at a
 * pinned block hash), posted straight to its subgraph endpoint.
 *
 * Three layouts of the subgraph endpoints, each against its own baseline
 * measured the same way in the same run:
 * - separate: seven `svr serve` processes, one store each, as seven
 *   graph-nodes would be in production (each its own cores, its own queue);
 * - one: a single `svr serve` child process serving all seven stores;
 * - embedded: the gateway serving the stores itself, on its own port, its
 *   reads going through its reader pool (`svr start`).
 * Then throughput of the warm query (whole answers from the cache) with
 * autocannon on loopback, against the slowest upstream document's, in the
 * separate layout.
 *
 * SVR_BENCH_DATA=<dir> reuses a data directory indexed by `svr start`
 * (default: the demo chain, 3 days, indexed into a temporary folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, startServer, type RunningServer } from '../server/gateway';
import { storePath } from '../server/indexer/deployment';
import { PROJECT_ROOT } from '../server/paths';
import { blockArgument, type BlockPin } from '../server/sources';
import { indexDemo } from '../server/start/demo';

// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}>;

const QUERY = '{ ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber stale markets { market openInterestUSD ratio } collateral { token amount valueUSD } } }';
const COLD_RUNS = 40;
const WARM_RUNS = 400;
const UPSTREAM_RUNS = 100;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function postJson(url: string, query: string): Promise<any> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
}

/** The demo chain of `svr start` (3 days), indexed into `dataDir` the way `svr start` does it. */
async function indexDemoData(dataDir: string): Promise<void> {
  const subgraphs = new Map(['aave-v3', 'gmx-v1', 'gmx-v2', 'synthetix-perps-v2'].map((name) => [name, join(PROJECT_ROOT, 'subgraph', name)]));
  await indexDemo(dataDir, { subgraphs, sourceRoot: join(PROJECT_ROOT, 'subgraph'), log: (line) => process.stderr.write(line + '\n') });
}

const DEPLOYMENTS = ['aave-v3/arbitrum-one', 'aave-v3/avalanche', 'aave-v3/mainnet', 'aave-v3/optimism', 'gmx-v1/arbitrum-one', 'gmx-v1/avalanche', 'gmx-v2/arbitrum-one', 'gmx-v2/avalanche', 'synthetix-perps-v2/optimism'];

/** A data directory holding one deployment's store (hard-linked: the stores are only read here). */
function oneStoreDir(dataDir: string, parent: string, deployment: string): string {
  const [subgraph, network] = deployment.split('/');
  const dir = join(parent, deployment.replace('/', '-'));
  const target = storePath(dir, subgraph, network);
  mkdirSync(join(dir, subgraph), { recursive: true });
  try {
    linkSync(storePath(dataDir, subgraph, network), target);
  } catch {
    copyFileSync(storePath(dataDir, subgraph, network), target);
  }
  return dir;
}

function serveUpstream(dataDir: string): Promise<{ child: ChildProcess; base: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'svr.js'), 'serve', '--data', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SVR_LOG_LEVEL: 'silent' } });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && /subgraphs:/.test(out)) ok({ child, base: m[1] });
    });
    child.on('exit', (code) => fail(new Error(`svr serve exited with ${code}: ${out}`)));
  });
}

interface Layout {
  name: string;
  describe: string;
  /** The endpoint of each deployment. */
  endpoints: Map<string, string>;
  gateway: RunningServer;
  stop(): Promise<void>;
}

interface Measured {
  layout: Layout;
  perDeployment: Array<{ deployment: string; p50: number }>;
  slowest: { deployment: string; p50: number };
  sumOfAll: number;
  cold: number;
  warm: number;
  /** GET /health, the same client: what any round trip costs here. */
  floor: number;
  upstream: Array<{ deployment: string; url: string; query: string }>;
}

function gatewayConfig(sources: Map<string, string> | null) {
  const config = loadConfig({ env: {} });
  // Warm means cache hits: the head's time to live is set past the measurement so no run includes a refresh.
  config.reader = { ...config.reader, head: { ...config.reader.head, ttlMs: 600_000 } };
  // One client measuring capacity: the per-client rate (50 a second by default) would measure itself.
  config.clients = { ...config.clients, requestsPerSecond: 0 };
  if (sources) {
    config.sources = DEPLOYMENTS.map((d) => {
      const [protocol, network] = d.split('/');
      return { protocol, network, url: sources.get(d)! };
    });
  }
  return config;
}

async function layoutSeparate(dataDir: string, scratch: string): Promise<Layout> {
  const children = await Promise.all(DEPLOYMENTS.map((d) => serveUpstream(oneStoreDir(dataDir, scratch, d))));
  const endpoints = new Map(DEPLOYMENTS.map((d, i) => [d, `${children[i].base}/subgraphs/name/${d}`]));
  const gateway = await startServer({ dataDir: join(scratch, 'no-embedded-endpoints'), port: 0, host: '127.0.0.1', config: gatewayConfig(endpoints), logger: pino({ level: 'silent' }) });
  return {
    name: 'separate',
    describe: 'seven `svr serve` processes, one store each (as seven graph-nodes)',
    endpoints,
    gateway,
    async stop() {
      await gateway.close();
      for (const c of children) c.child.kill('SIGTERM');
    },
  };
}

async function layoutOne(dataDir: string, scratch: string): Promise<Layout> {
  const { child, base } = await serveUpstream(dataDir);
  const endpoints = new Map(DEPLOYMENTS.map((d) => [d, `${base}/subgraphs/name/${d}`]));
  const gateway = await startServer({ dataDir: join(scratch, 'no-embedded-endpoints'), port: 0, host: '127.0.0.1', config: gatewayConfig(endpoints), logger: pino({ level: 'silent' }) });
  return {
    name: 'one',
    describe: 'one `svr serve` process serving all seven stores',
    endpoints,
    gateway,
    async stop() {
      await gateway.close();
      child.kill('SIGTERM');
    },
  };
}

async function layoutEmbedded(dataDir: string): Promise<Layout> {
  const gateway = await startServer({ dataDir, port: 0, host: '127.0.0.1', config: gatewayConfig(null), logger: pino({ level: 'silent' }) });
  // The listener the gateway itself reads (its reader pool), not the public lane other clients share.
  const endpoints = new Map(DEPLOYMENTS.map((d) => [d, `${gateway.gatewayReadsUrl}/subgraphs/name/${d}`]));
  return { name: 'embedded', describe: 'the gateway serving the seven stores itself, through its reader pool (`svr start`)', endpoints, gateway, stop: () => gateway.close() };
}

async function measure(layout: Layout): Promise<Measured> {
  const url = `${layout.gateway.url}/graphql`;
  // The documents the gateway sends each deployment for this query (as its reader renders them).
  const upstream: Array<{ deployment: string; url: string; query: string }> = [];
  for (const d of DEPLOYMENTS) {
    const endpoint = layout.endpoints.get(d)!;
    const meta = (await postJson(endpoint, '{ _meta { block { number hash timestamp } } }'))._meta;
    const pin = { number: meta.block.number, hash: meta.block.hash } as BlockPin;
    const b = blockArgument(pin);
    upstream.push({
      deployment: d,
      url: endpoint,
      query:
        `query { f0: protocols(first: 2, block: ${b}) { id type totalValueLockedUSD priced unpricedTokens longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD } ` +
        `f1: markets(first: 1000, orderBy: id, orderDirection: asc, block: ${b}) { id name indexToken { id } totalValueLockedUSD priced longOpenInterestUSD shortOpenInterestUSD totalBorrowBalanceUSD } ` +
        `f2: collateralBalances(first: 1000, orderBy: id, orderDirection: asc, block: ${b}) { id token { id symbol decimals } amount amountUSD priced } }`,
    });
  }
  process.stderr.write(`${layout.name}: upstream...\n`);
  const perDeployment: Array<{ deployment: string; p50: number }> = [];
  for (const u of upstream) {
    for (let i = 0; i < 20; i++) await postJson(u.url, u.query);
    const times: number[] = [];
    for (let i = 0; i < UPSTREAM_RUNS; i++) times.push(await timed(() => postJson(u.url, u.query)));
    perDeployment.push({ deployment: u.deployment, p50: median(times) });
  }
  const slowest = perDeployment.reduce((a, b) => (b.p50 > a.p50 ? b : a));
  const sumOfAll = perDeployment.reduce((t, p) => t + p.p50, 0);

  process.stderr.write(`${layout.name}: gateway cold...\n`);
  const cache = layout.gateway.sources.cache;
  for (let i = 0; i < 10; i++) {
    await cache.clear();
    await postJson(url, QUERY);
  }
  const cold: number[] = [];
  for (let i = 0; i < COLD_RUNS; i++) {
    await cache.clear();
    cold.push(await timed(() => postJson(url, QUERY)));
  }
  process.stderr.write(`${layout.name}: gateway warm...\n`);
  await postJson(url, QUERY);
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(() => postJson(url, QUERY)));
  // The floor of any answer measured this way: an HTTP round trip with the same client to an endpoint that does nothing.
  const health: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) health.push(await timed(async () => (await fetch(`${layout.gateway.url}/health`)).json()));
  return { layout, perDeployment, slowest, sumOfAll, cold: median(cold), warm: median(warm), floor: median(health), upstream };
}

function report(m: Measured): void {
  const { slowest, sumOfAll, cold: c, warm: w } = m;
  console.log(`layout ${m.layout.name}: ${m.layout.describe}`);
  console.log(`  upstream, one deployment's document straight to its endpoint (median of ${UPSTREAM_RUNS}):`);
  for (const p of m.perDeployment) console.log(`    ${p.deployment.padEnd(30)} ${p.p50.toFixed(2)} ms${p === slowest ? '  <- slowest: the baseline' : ''}`);
  console.log(`  gateway cold cache (median of ${COLD_RUNS}): ${c.toFixed(2)} ms = ${(c / slowest.p50).toFixed(2)}x the slowest upstream${m.layout.name === 'separate' ? ' (aim <= 1.3x)' : ''}`);
  console.log(
    `    against the sum of the seven documents (${sumOfAll.toFixed(2)} ms): ${(c / sumOfAll).toFixed(2)}x${m.layout.name === 'embedded' ? ' (aim <= 0.8x)' : ''}`,
  );
  console.log(`  gateway warm cache (median of ${WARM_RUNS}): ${w.toFixed(2)} ms = ${(w / slowest.p50).toFixed(2)}x the slowest upstream (aim <= 0.1x)`);
  console.log(`    an HTTP round trip that does nothing (GET /health, same client, median of ${WARM_RUNS}): ${m.floor.toFixed(2)} ms = ${(m.floor / slowest.p50).toFixed(2)}x`);
  console.log('');
}

async function main(): Promise<void> {
  const own = !process.env.SVR_BENCH_DATA;
  const dataDir = process.env.SVR_BENCH_DATA ?? mkdtempSync(join(tmpdir(), 'svr-bench-gateway-'));
  if (own) {
    process.stderr.write('indexing the demo chain (3 days, 7 deployments)...\n');
    await indexDemoData(dataDir);
  } else if (!existsSync(dataDir)) throw new Error(`SVR_BENCH_DATA=${dataDir} does not exist`);
  const scratch = mkdtempSync(join(tmpdir(), 'svr-bench-layouts-'));
  const results: Measured[] = [];
  try {
    for (const make of [() => layoutSeparate(dataDir, scratch), () => layoutOne(dataDir, scratch), () => layoutEmbedded(dataDir)]) {
      const layout = await make();
      try {
        results.push(await measure(layout));
        if (layout.name !== 'separate') continue;
        const m = results[results.length - 1];
        process.stderr.write('separate: throughput (autocannon, 10 s each)...\n');
        const url = `${layout.gateway.url}/graphql`;
        const load = await autocannon({ url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }), connections: 10, duration: 10 });
        const slowestDoc = m.upstream.find((u) => u.deployment === m.slowest.deployment)!;
        const upstreamLoad = await autocannon({ url: slowestDoc.url, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: slowestDoc.query }), connections: 10, duration: 10 });
        throughput = { load, upstreamLoad };
      } finally {
        await layout.stop();
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    if (own) rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
  console.log(`query: ratios over ${DEPLOYMENTS.length} deployments with markets and collateral per token; each ratio against the baseline of its own layout, measured in this run`);
  console.log('');
  for (const m of results) report(m);
  if (throughput) {
    const { load, upstreamLoad } = throughput;
    console.log(
      `throughput (separate layout), warm, 10 connections for 10 s: ${load.requests.average.toFixed(0)} req/s, latency p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ` +
        `${load.non2xx} non-2xx, ${load.errors} errors`,
    );
    console.log(
      `  the slowest upstream document alone, same load: ${upstreamLoad.requests.average.toFixed(0)} req/s, p50 ${upstreamLoad.latency.p50} ms, p99 ${upstreamLoad.latency.p99} ms ` +
        `(gateway/upstream throughput ${(load.requests.average / upstreamLoad.requests.average).toFixed(2)}x, aim >= 2x)`,
    );
  }
}

type Load = Awaited<ReturnType<typeof autocannon>>;
let throughput: { load: Load; upstreamLoad: Load } | null = null;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
