/**
 * npm run bench:gateway
 *
 * `ratios` over every deployment of the data directory (the demo's thirteen:
 * gmx-v1 x2, gmx-v2 x2, synthetix-perps-v2, aave-v3 x8), with per-market and
 * per-token detail, through the gateway, cold and warm cache, against
 * baselines measured in the same run with the same HTTP client (node:http,
 * keep-alive): for each deployment, the very document the gateway sent it in
 * its cold read (`_meta` and the Protocol, markets and collateral at the
 * latest block: one round trip per source), posted straight to its endpoint,
 * one at a time (the slowest, and the sum) and all at once (one parallel
 * round: what a cold answer cannot beat on this machine).
 *
 * Three layouts of the subgraph endpoints, each against its own baselines:
 * - separate: one `svr serve` process per store, as separate graph-nodes
 *   would be in production (here they share the machine's cores);
 * - one: a single `svr serve` child process serving every store;
 * - embedded: the gateway serving the stores itself, on its own port, its
 *   reads going through its reader pool (`svr start`).
 * Warm answers (whole answers from the cache) are set beside two floors: an
 * HTTP round trip that does nothing (GET /health) and a bare node:http server
 * answering the same bytes to the same POST. Then throughput of the warm
 * query with autocannon on loopback, against the slowest upstream document's,
 * in the separate layout.
 *
 * SVR_BENCH_DATA=<dir> reuses a data directory indexed by `svr start`
 * (default: the demo chain, 3 days, indexed into a temporary folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type Server } from 'node:http';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig, startServer, type RunningServer } from '../server/gateway';
import { storePath } from '../server/indexer/deployment';
import { PROJECT_ROOT } from '../server/paths';
import { httpStats } from '../server/sources';
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

/** One client for every measurement: node:http with kept-alive connections (fetch's own cost per request is several times larger). */
const agent = new Agent({ keepAlive: true });

function send(url: string, method: 'GET' | 'POST', body?: string): Promise<string> {
  return new Promise((ok, fail) => {
    const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
    const req = request(url, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function postJson(url: string, query: string): Promise<any> {
  const body = JSON.parse(await send(url, 'POST', JSON.stringify({ query }))) as { data?: unknown; errors?: unknown[] };
  if (body.errors) throw new Error(`${url}: ${JSON.stringify(body.errors).slice(0, 300)}`);
  return body.data;
}

/** A bare server answering `text` to any request: the floor of an answer of that size with this client. */
async function sameBytesServer(text: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  return { server, url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/` };
}

/** The demo chain of `svr start` (3 days), indexed into `dataDir` the way `svr start` does it. */
async function indexDemoData(dataDir: string): Promise<void> {
  const subgraphs = new Map(['aave-v3', 'gmx-v1', 'gmx-v2', 'synthetix-perps-v2'].map((name) => [name, join(PROJECT_ROOT, 'subgraph', name)]));
  await indexDemo(dataDir, { subgraphs, sourceRoot: join(PROJECT_ROOT, 'subgraph'), log: (line) => process.stderr.write(line + '\n') });
}

/** Every store of the data directory, as subgraph/network: the gateway reads them all in every layout. */
function deploymentsOf(dataDir: string): string[] {
  const out: string[] = [];
  for (const subgraph of readdirSync(dataDir, { withFileTypes: true })) {
    if (!subgraph.isDirectory()) continue;
    for (const f of readdirSync(join(dataDir, subgraph.name))) if (f.endsWith('.sqlite')) out.push(`${subgraph.name}/${f.slice(0, -'.sqlite'.length)}`);
  }
  return out.sort();
}

let DEPLOYMENTS: string[] = [];

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

/**
 * The upstreams' config: no per-client bounds. They stand in for graph-nodes, which have none, and the
 * bench is one client: at the default 50 requests a second, one-at-a-time baselines were paced at 20 ms a
 * request, and the default 8 queries at once refused the thirteen documents sent together.
 */
function upstreamConfig(scratch: string): string {
  const file = join(scratch, 'upstream.config.json');
  if (!existsSync(file)) writeFileSync(file, JSON.stringify({ clients: { requestsPerSecond: 0 }, workers: { publicPerClient: 1000 } }));
  return file;
}

function serveUpstream(dataDir: string, scratch: string): Promise<{ child: ChildProcess; base: string }> {
  return new Promise((ok, fail) => {
    const args = [join(PROJECT_ROOT, 'bin', 'svr.js'), 'serve', '--data', dataDir, '--port', '0', '--config', upstreamConfig(scratch)];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, SVR_LOG_LEVEL: 'silent' } });
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
  /** Every deployment's document at once, in parallel: one round over every source, no gateway. */
  parallel: number;
  cold: number;
  /** Upstream requests per source in one cold answer: the fewest and the most over the sources. */
  roundTrips: { min: number; max: number };
  warm: number;
  /** GET /health, the same client: what any round trip costs here. */
  floor: number;
  /** The warm answer's very bytes from a bare node:http server, the same client and request. */
  sameBytes: number;
  answerBytes: number;
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
  const children = await Promise.all(DEPLOYMENTS.map((d) => serveUpstream(oneStoreDir(dataDir, scratch, d), scratch)));
  const endpoints = new Map(DEPLOYMENTS.map((d, i) => [d, `${children[i].base}/subgraphs/name/${d}`]));
  const gateway = await startServer({ dataDir: join(scratch, 'no-embedded-endpoints'), port: 0, host: '127.0.0.1', config: gatewayConfig(endpoints), logger: pino({ level: 'silent' }) });
  return {
    name: 'separate',
    describe: `${DEPLOYMENTS.length} \`svr serve\` processes, one store each (as separate graph-nodes, here sharing the machine's cores)`,
    endpoints,
    gateway,
    async stop() {
      await gateway.close();
      for (const c of children) c.child.kill('SIGTERM');
    },
  };
}

async function layoutOne(dataDir: string, scratch: string): Promise<Layout> {
  const { child, base } = await serveUpstream(dataDir, scratch);
  const endpoints = new Map(DEPLOYMENTS.map((d) => [d, `${base}/subgraphs/name/${d}`]));
  const gateway = await startServer({ dataDir: join(scratch, 'no-embedded-endpoints'), port: 0, host: '127.0.0.1', config: gatewayConfig(endpoints), logger: pino({ level: 'silent' }) });
  return {
    name: 'one',
    describe: `one \`svr serve\` process serving all ${DEPLOYMENTS.length} stores`,
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
  const read = gateway.sources.registry.list().map((s) => `${s.protocol}/${s.network}`).sort();
  if (read.join() !== DEPLOYMENTS.join()) throw new Error(`the embedded gateway reads ${read.join(', ')}, not the bench's ${DEPLOYMENTS.join(', ')}`);
  return { name: 'embedded', describe: `the gateway serving the ${DEPLOYMENTS.length} stores itself, through its reader pool (\`svr start\`)`, endpoints, gateway, stop: () => gateway.close() };
}

/** Upstream requests per source (by subgraph/network) while `run` runs. */
async function requestsPerSource(run: () => Promise<unknown>): Promise<Map<string, number>> {
  const before = { ...httpStats.bySource };
  await run();
  return new Map(DEPLOYMENTS.map((d) => [d, (httpStats.bySource[d] ?? 0) - (before[d] ?? 0)]));
}

async function measure(layout: Layout): Promise<Measured> {
  const url = `${layout.gateway.url}/graphql`;
  const cache = layout.gateway.sources.cache;
  // One cold answer: the documents the gateway sends each deployment for this query, as they went out.
  await cache.clear();
  const trips = await requestsPerSource(() => postJson(url, QUERY));
  const upstream = DEPLOYMENTS.map((d) => ({ deployment: d, url: layout.endpoints.get(d)!, query: httpStats.lastQuery[d]! }));
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
  const parallelTimes: number[] = [];
  for (let i = 0; i < 10; i++) await Promise.all(upstream.map((u) => postJson(u.url, u.query)));
  for (let i = 0; i < COLD_RUNS; i++) parallelTimes.push(await timed(() => Promise.all(upstream.map((u) => postJson(u.url, u.query)))));

  process.stderr.write(`${layout.name}: gateway cold...\n`);
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
  const body = JSON.stringify({ query: QUERY });
  const answer = await send(url, 'POST', body);
  const warm: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(() => send(url, 'POST', body)));
  // The floors of any answer measured this way: an HTTP round trip to an endpoint that does nothing, and the same bytes from a bare server.
  const health: number[] = [];
  for (let i = 0; i < WARM_RUNS; i++) health.push(await timed(() => send(`${layout.gateway.url}/health`, 'GET')));
  const bare = await sameBytesServer(answer);
  const same: number[] = [];
  try {
    for (let i = 0; i < 20; i++) await send(bare.url, 'POST', body);
    for (let i = 0; i < WARM_RUNS; i++) same.push(await timed(() => send(bare.url, 'POST', body)));
  } finally {
    bare.server.close();
  }
  const counts = [...trips.values()];
  return {
    layout,
    perDeployment,
    slowest,
    sumOfAll,
    parallel: median(parallelTimes),
    cold: median(cold),
    roundTrips: { min: Math.min(...counts), max: Math.max(...counts) },
    warm: median(warm),
    floor: median(health),
    sameBytes: median(same),
    answerBytes: Buffer.byteLength(answer),
    upstream,
  };
}

function report(m: Measured): void {
  const { slowest, sumOfAll, parallel, cold: c, warm: w } = m;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  console.log(`layout ${m.layout.name}: ${m.layout.describe}`);
  console.log(`  upstream, one deployment's document (as the gateway sent it) straight to its endpoint, one at a time (median of ${UPSTREAM_RUNS}):`);
  for (const p of m.perDeployment) console.log(`    ${p.deployment.padEnd(30)} ${p.p50.toFixed(2)} ms${p === slowest ? '  <- slowest' : ''}`);
  console.log(`    sum of the ${m.perDeployment.length}: ${sumOfAll.toFixed(2)} ms; all ${m.perDeployment.length} at once, in parallel (median of ${COLD_RUNS}): ${parallel.toFixed(2)} ms`);
  const rt = m.roundTrips.min === m.roundTrips.max ? `${m.roundTrips.min}` : `${m.roundTrips.min} to ${m.roundTrips.max}`;
  console.log(`  gateway cold cache (median of ${COLD_RUNS}): ${c.toFixed(2)} ms, ${rt} upstream request(s) per source`);
  console.log(`    = ${x(c, slowest.p50)} the slowest upstream (${slowest.p50.toFixed(2)} ms)${m.layout.name === 'separate' ? ' (aim <= 1.3x)' : ''}`);
  console.log(`    = ${x(c, sumOfAll)} the sum of the documents${m.layout.name === 'embedded' ? ' (aim <= 0.8x)' : ''}`);
  console.log(`    = ${x(c, parallel)} all the documents at once without the gateway`);
  console.log(`  gateway warm cache, a whole answer of ${m.answerBytes} bytes (median of ${WARM_RUNS}): ${w.toFixed(3)} ms = ${x(w, slowest.p50)} the slowest upstream (aim <= 0.1x)`);
  console.log(`    floor, GET /health (same client, median of ${WARM_RUNS}): ${m.floor.toFixed(3)} ms = ${x(m.floor, slowest.p50)}; warm = ${x(w, m.floor)} it`);
  console.log(`    floor, the same ${m.answerBytes} bytes from a bare node:http server (same client and request): ${m.sameBytes.toFixed(3)} ms = ${x(m.sameBytes, slowest.p50)}; warm = ${x(w, m.sameBytes)} it`);
  console.log('');
}

async function main(): Promise<void> {
  const own = !process.env.SVR_BENCH_DATA;
  const dataDir = process.env.SVR_BENCH_DATA ?? mkdtempSync(join(tmpdir(), 'svr-bench-gateway-'));
  if (own) {
    process.stderr.write('indexing the demo chain (3 days, every demo deployment)...\n');
    await indexDemoData(dataDir);
  } else if (!existsSync(dataDir)) throw new Error(`SVR_BENCH_DATA=${dataDir} does not exist`);
  DEPLOYMENTS = deploymentsOf(dataDir);
  const loadAtStart = loadavg();
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
    agent.destroy();
  }
  const load = (l: number[]) => l.map((n) => n.toFixed(1)).join(' ');
  console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}; load average ${load(loadAtStart)} at the start, ${load(loadavg())} at the end`);
  console.log(`query: ratios over ${DEPLOYMENTS.length} deployments (${DEPLOYMENTS.join(', ')}) with markets and collateral per token`);
  console.log('each ratio against a baseline of its own layout measured in this run, with the same client (node:http, keep-alive)');
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
