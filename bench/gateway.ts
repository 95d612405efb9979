/**
 * npm run bench:gateway
 *
 * `ratios` over all seven demo deployments (with per-market and per-token
 * detail), through the gateway, cold and warm cache, against the slowest
 * single upstream query measured in the same run: for each deployment, the
 * very document the gateway sends it (Protocol, markets, collateral at a
 * pinned block hash), posted straight to its subgraph endpoint.
 *
 * The subgraph endpoints run in a child process (`svr serve`), as graph-node
 * would run apart from the gateway; the gateway runs in this process.
 * Then throughput of the warm query with autocannon on loopback.
 *
 * SVR_BENCH_DATA=<dir> reuses a data directory indexed by `svr start`
 * (default: the demo chain, 3 days, indexed into a temporary folder).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildSubgraph } from '../server/compile/graph-build';
import { runDemo } from '../server/demo';
import { loadConfig, startServer } from '../server/gateway';
import { indexFiles } from '../server/indexer/index-files';
import { PROJECT_ROOT } from '../server/paths';
import { blockArgument, type BlockPin } from '../server/sources';

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

async function indexDemo(dataDir: string): Promise<void> {
  const chain = mkdtempSync(join(tmpdir(), 'svr-bench-chain-'));
  try {
    for (const r of runDemo({ out: chain, seed: 1, days: 3 })) {
      const manifestPath = buildSubgraph({ subgraphDir: join(PROJECT_ROOT, 'subgraph', r.subgraph), network: r.network, sourceRoot: join(PROJECT_ROOT, 'subgraph') });
      await indexFiles({ manifestPath, subgraph: r.subgraph, dataDir, logsPath: r.logsPath, blocksPath: r.blocksPath });
    }
  } finally {
    rmSync(chain, { recursive: true, force: true });
  }
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

async function main(): Promise<void> {
  const own = !process.env.SVR_BENCH_DATA;
  const dataDir = process.env.SVR_BENCH_DATA ?? mkdtempSync(join(tmpdir(), 'svr-bench-gateway-'));
  if (own) {
    process.stderr.write('indexing the demo chain (3 days, 7 deployments)...\n');
    await indexDemo(dataDir);
  } else if (!existsSync(dataDir)) throw new Error(`SVR_BENCH_DATA=${dataDir} does not exist`);
  const { child, base } = await serveUpstream(dataDir);
  const config = loadConfig({ env: {} });
  // Warm means cache hits: the head's time to live is set past the measurement so no run includes a refresh.
  config.reader = { ...config.reader, head: { ...config.reader.head, ttlMs: 600_000 } };
  const deployments = ['aave-v3/arbitrum-one', 'aave-v3/avalanche', 'aave-v3/mainnet', 'aave-v3/optimism', 'gmx-v1/arbitrum-one', 'gmx-v1/avalanche', 'synthetix-perps-v2/optimism'];
  config.sources = deployments.map((d) => {
    const [protocol, network] = d.split('/');
    return { protocol, network, url: `${base}/subgraphs/name/${d}` };
  });
  const gateway = await startServer({ dataDir: join(dataDir, 'no-embedded-endpoints'), port: 0, host: '127.0.0.1', config, logger: pino({ level: 'silent' }) });
  const url = `${gateway.url}/graphql`;
  try {
    // The documents the gateway sends each deployment for this query (as its reader renders them).
    const upstream: Array<{ deployment: string; url: string; query: string }> = [];
    for (const d of deployments) {
      const endpoint = `${base}/subgraphs/name/${d}`;
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
    process.stderr.write('upstream...\n');
    const perDeployment: Array<{ deployment: string; p50: number }> = [];
    for (const u of upstream) {
      for (let i = 0; i < 20; i++) await postJson(u.url, u.query);
      const times: number[] = [];
      for (let i = 0; i < UPSTREAM_RUNS; i++) times.push(await timed(() => postJson(u.url, u.query)));
      perDeployment.push({ deployment: u.deployment, p50: median(times) });
    }
    const slowest = perDeployment.reduce((a, b) => (b.p50 > a.p50 ? b : a));
    const sumOfAll = perDeployment.reduce((t, p) => t + p.p50, 0);

    process.stderr.write('gateway cold...\n');
    for (let i = 0; i < 10; i++) {
      await gateway.sources.cache.clear();
      await postJson(url, QUERY);
    }
    const cold: number[] = [];
    for (let i = 0; i < COLD_RUNS; i++) {
      await gateway.sources.cache.clear();
      cold.push(await timed(() => postJson(url, QUERY)));
    }
    process.stderr.write('gateway warm...\n');
    await postJson(url, QUERY);
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) warm.push(await timed(() => postJson(url, QUERY)));

    process.stderr.write('throughput (autocannon, 10 s)...\n');
    const load = await autocannon({
      url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
      connections: 10,
      duration: 10,
    });
    const upstreamLoad = await autocannon({
      url: upstream.find((u) => u.deployment === slowest.deployment)!.url,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: upstream.find((u) => u.deployment === slowest.deployment)!.query }),
      connections: 10,
      duration: 10,
    });

    const c = median(cold);
    const w = median(warm);
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
    console.log(`query: ratios over ${deployments.length} deployments with markets and collateral per token`);
    console.log('');
    console.log('upstream, one deployment\'s document straight to its endpoint (median of ' + UPSTREAM_RUNS + '):');
    for (const p of perDeployment) console.log(`  ${p.deployment.padEnd(30)} ${p.p50.toFixed(2)} ms${p === slowest ? '  <- slowest: the baseline' : ''}`);
    console.log('');
    console.log(`gateway cold cache (median of ${COLD_RUNS}): ${c.toFixed(2)} ms = ${(c / slowest.p50).toFixed(2)}x the slowest upstream (aim <= 1.3x)`);
    console.log(
      `  against the sum of the seven documents (${sumOfAll.toFixed(2)} ms: what one single-threaded upstream serving all seven must do anyway): ${(c / sumOfAll).toFixed(2)}x`,
    );
    console.log(`gateway warm cache (median of ${WARM_RUNS}): ${w.toFixed(2)} ms = ${(w / slowest.p50).toFixed(2)}x the slowest upstream (aim <= 0.1x)`);
    console.log('');
    console.log(
      `throughput, warm, 10 connections for 10 s: ${load.requests.average.toFixed(0)} req/s, latency p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, ` +
        `${load.non2xx} non-2xx, ${load.errors} errors`,
    );
    console.log(
      `  the slowest upstream document alone, same load: ${upstreamLoad.requests.average.toFixed(0)} req/s, p50 ${upstreamLoad.latency.p50} ms, p99 ${upstreamLoad.latency.p99} ms ` +
        `(gateway/upstream throughput ${(load.requests.average / upstreamLoad.requests.average).toFixed(2)}x)`,
    );
  } finally {
    await gateway.close();
    child.kill('SIGTERM');
    if (own) rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
