/**
 * npm run bench:abuse
 *
 * Normal traffic under a bounded loopback load (fixed request rates): warm
 * `ratios` on the gateway, a subgraph query, and /health, against `svr serve`
 * in a child process. Measured twice in one run: alone (the baseline), then
 * while abusive requests of each kind of issue 13 run beside it, one sender
 * per kind, sequentially within each kind:
 *
 *   subgraph API: 10 aliases of nested first:1000 collections; distinct
 *   0.95 MB documents (the parse cache); `_change_block: null`; `and` nested
 *   2,000 deep; a malformed URL escape; a body over 1 MiB.
 *   gateway: the token limit; a body over the limit; 30 aliases of
 *   valueAtRisk(paths: 100000); forecast(horizonDays: 100000000);
 *   liquidationCurve with 20,001 points; and a valueAtRisk(paths: 100000)
 *   within the caps (the heaviest allowed risk request).
 *
 * The abusive requests come from another loopback address (127.0.0.2) than
 * the normal traffic (127.0.0.1), as another client would: the server's
 * per-client bounds count them apart. They are sent from a thread of their
 * own, so that building and reading them does not delay autocannon's reading
 * of the normal answers (which it would count as the server's latency). The server starts its worker pools with
 * itself, so both phases measure the same threads.
 *
 * Prints the machine (cores, memory, Node); for each kind of normal traffic
 * its baseline and abused p50 and p99 and their ratios; the server's peak RSS;
 * non-2xx, 5xx, errors and crashes (the child exiting); and per kind of abuse
 * the requests sent and the status codes they got. Aims: /health and `ratios`
 * p99 at most 2x, RSS at most 1.5x, no crash, no 5xx.
 *
 * SVR_BENCH_DATA=<dir> reuses a data directory (default: the demo chain,
 * 1 day, indexed into a temporary folder). SVR_BENCH_SECONDS sets each phase's
 * length (default 15). SVR_BENCH_WITHOUT=<text>[,<text>] leaves out the kinds
 * of abuse whose names contain one of the texts (e.g. "within the caps", to
 * see the rest apart from the one heavy request the caps allow).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { buildSubgraph } from '../server/compile/graph-build';
import { runDemo } from '../server/demo';
import { indexFiles } from '../server/indexer/index-files';
import { PROJECT_ROOT } from '../server/paths';

// autocannon ships no types; this is the part of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<LoadResult>;
interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  '5xx': number;
}

const SECONDS = Number(process.env.SVR_BENCH_SECONDS ?? 15);
const RATIOS = '{ ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber } }';
const SUBGRAPH_QUERY = '{ _meta { block { number } } protocols(first: 5) { id totalValueLockedUSD } }';
const RATE = { ratios: 20, subgraph: 20, health: 20 };

async function indexDemo(dataDir: string): Promise<void> {
  const chain = mkdtempSync(join(tmpdir(), 'svr-abuse-chain-'));
  try {
    for (const r of runDemo({ out: chain, seed: 1, days: 1 })) {
      const manifestPath = buildSubgraph({ subgraphDir: join(PROJECT_ROOT, 'subgraph', r.subgraph), network: r.network, sourceRoot: join(PROJECT_ROOT, 'subgraph') });
      await indexFiles({ manifestPath, subgraph: r.subgraph, dataDir, logsPath: r.logsPath, blocksPath: r.blocksPath });
    }
  } finally {
    rmSync(chain, { recursive: true, force: true });
  }
}

function serve(dataDir: string): Promise<{ child: ChildProcess; base: string; exits: { code: number | null }[] }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'svr.js'), 'serve', '--data', dataDir, '--port', '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SVR_LOG_LEVEL: 'silent' },
    });
    const exits: { code: number | null }[] = [];
    let out = '';
    let ready = false;
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (!ready && m && /subgraphs:/.test(out)) {
        ready = true;
        ok({ child, base: m[1], exits });
      }
    });
    child.on('exit', (code) => {
      exits.push({ code });
      if (!ready) fail(new Error(`svr serve exited with ${code}: ${out}`));
    });
  });
}

function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

interface Phase {
  ratios: LoadResult;
  subgraph: LoadResult;
  health: LoadResult;
  peakRss: number;
  abuse: Map<string, { sent: number; statuses: Map<number, number>; failures: number }>;
  /** The machine's 1-minute load average at the phase's start and end (other work on the same cores). */
  load: [number, number];
  /** The server's worker pools after the phase (its /metrics `svr_worker_pool`): pool -> kind -> count. */
  pools: Map<string, Map<string, number>>;
}

async function workerPools(base: string): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const m of text.matchAll(/^svr_worker_pool\{pool="(\w+)",kind="(\w+)"\} (\d+)/gm)) {
    if (!out.has(m[1])) out.set(m[1], new Map());
    out.get(m[1])!.set(m[2], Number(m[3]));
  }
  return out;
}

function load(url: string, rate: number, body?: string): Promise<LoadResult> {
  return autocannon({
    url,
    method: body ? 'POST' : 'GET',
    headers: body ? { 'content-type': 'application/json' } : {},
    body,
    connections: 4,
    overallRate: rate,
    duration: SECONDS,
    timeout: 30,
  });
}

/** The address the abusive requests come from: another client than the normal traffic's 127.0.0.1 (all of 127/8 is loopback on Linux). */
const ABUSER_ADDRESS = '127.0.0.2';

/** One request from ABUSER_ADDRESS, read to its end: its status. */
function send(url: string, body?: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(url, { method: body === undefined ? 'GET' : 'POST', localAddress: ABUSER_ADDRESS, headers: body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => ok(res.statusCode ?? 0));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/** The abusive requests, each a function sending one and giving its status. */
function abusers(base: string, subgraph: string): Record<string, () => Promise<number>> {
  const post = (url: string, body: string) => send(url, body);
  const gql = (url: string, query: string) => post(url, JSON.stringify({ query }));
  const nested = 'accounts(first: 1000) { positions(first: 1000) { account { positions(first: 1000) { id } } } }';
  let distinct = 0;
  let deep = '{ id: "x" }';
  for (let i = 0; i < 2000; i++) deep = `{ and: [${deep}] }`;
  const risky = (q: string) => gql(`${base}/graphql`, q);
  return {
    'subgraph: 10 aliases of nested first:1000': () => gql(subgraph, `{ ${Array.from({ length: 10 }, (_, i) => `a${i}: ${nested}`).join(' ')} }`),
    'subgraph: distinct 0.95 MB documents': () => gql(subgraph, `{ _meta { deployment } } # ${distinct++} ${'x'.repeat(950_000)}`),
    'subgraph: _change_block null': () => gql(subgraph, '{ protocols(where: { _change_block: null }) { id } }'),
    'subgraph: and nested 2,000 deep': () => gql(subgraph, `{ protocols(where: ${deep}) { id } }`),
    'subgraph: malformed URL escape': () => send(`${subgraph.replace('/name/', '/name/%E0%A4%A')}?query=%7B`),
    'subgraph: body over 1 MiB': () => gql(subgraph, `{ _meta { deployment } } # ${'x'.repeat(1_100_000)}`),
    'gateway: token limit': () => risky(`{ ${Array.from({ length: 3000 }, () => 'ratios { ratio }').join(' ')} }`),
    'gateway: body over the limit': () => risky(`{ ratios { ratio } } # ${'x'.repeat(200_000)}`),
    'gateway: 30 x valueAtRisk(paths: 100000)': () => risky(`{ ${Array.from({ length: 30 }, (_, i) => `v${i}: valueAtRisk(paths: 100000) { paths }`).join(' ')} }`),
    'gateway: forecast(horizonDays: 1e8)': () => risky('{ forecast(protocol: "gmx-v1", network: "arbitrum-one", horizonDays: 100000000) { lastRatio } }'),
    'gateway: liquidationCurve 20,001 points': () => risky('{ liquidationCurve(from: -1, to: 1, step: 0.0001) { curves { protocol } } }'),
    'gateway: valueAtRisk(paths: 100000), within the caps': () => risky('{ valueAtRisk(paths: 100000) { paths } }'),
  };
}

function selected(all: Record<string, () => Promise<number>>): Record<string, () => Promise<number>> {
  const without = (process.env.SVR_BENCH_WITHOUT ?? '').split(',').map((t) => t.trim()).filter(Boolean);
  return Object.fromEntries(Object.entries(all).filter(([kind]) => !without.some((t) => kind.includes(t))));
}

type Tally = Map<string, { sent: number; statuses: Map<number, number>; failures: number }>;

/** Sends each kind of abuse, one at a time per kind, for `seconds`: what each got. */
async function sendAbuse(abuse: Record<string, () => Promise<number>>, seconds: number): Promise<Tally> {
  const until = Date.now() + seconds * 1000;
  const tally: Tally = new Map();
  await Promise.all(
    Object.entries(abuse).map(async ([kind, send]) => {
      const t = { sent: 0, statuses: new Map<number, number>(), failures: 0 };
      tally.set(kind, t);
      while (Date.now() < until) {
        t.sent++;
        try {
          const status = await send();
          t.statuses.set(status, (t.statuses.get(status) ?? 0) + 1);
        } catch {
          t.failures++;
          await new Promise((ok) => setTimeout(ok, 100));
        }
      }
    }),
  );
  return tally;
}

/**
 * The abuse runs in a thread of its own: building and reading megabyte bodies on
 * autocannon's event loop would hold up its reading of the normal answers, and
 * the latencies it reports would be the bench's own lag, not the server's.
 */
function abuseInThread(base: string): Promise<Tally> {
  return new Promise((ok, fail) => {
    const worker = new Worker(__filename, { workerData: { base, seconds: SECONDS } });
    worker.once('message', (entries: Array<[string, { sent: number; statuses: Array<[number, number]>; failures: number }]>) =>
      ok(new Map(entries.map(([kind, t]) => [kind, { ...t, statuses: new Map(t.statuses) }]))),
    );
    worker.once('error', fail);
  });
}

async function phase(base: string, pid: number, abused: boolean): Promise<Phase> {
  const subgraph = `${base}/subgraphs/name/gmx-v1/avalanche`;
  let peakRss = rssBytes(pid);
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssBytes(pid))), 100);
  const loadAtStart = loadavg()[0];
  const abuse = abused ? abuseInThread(base) : Promise.resolve<Tally>(new Map());
  const [ratios, sub, health] = await Promise.all([
    load(`${base}/graphql`, RATE.ratios, JSON.stringify({ query: RATIOS })),
    load(subgraph, RATE.subgraph, JSON.stringify({ query: SUBGRAPH_QUERY })),
    load(`${base}/health`, RATE.health),
  ]);
  const tally = await abuse;
  clearInterval(sampler);
  return { ratios, subgraph: sub, health, peakRss, abuse: tally, load: [loadAtStart, loadavg()[0]], pools: await workerPools(base) };
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}x` : a > 0 ? 'inf' : '1.00x');

async function main(): Promise<void> {
  const own = !process.env.SVR_BENCH_DATA;
  const dataDir = process.env.SVR_BENCH_DATA ?? mkdtempSync(join(tmpdir(), 'svr-bench-abuse-'));
  if (own) {
    process.stderr.write('indexing the demo chain (1 day, 7 deployments)...\n');
    await indexDemo(dataDir);
  } else if (!existsSync(dataDir)) throw new Error(`SVR_BENCH_DATA=${dataDir} does not exist`);
  const { child, base, exits } = await serve(dataDir);
  try {
    // Warm: the gateway's cache and the reader pool.
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: RATIOS }) })).arrayBuffer();
    process.stderr.write(`baseline: normal load alone, ${SECONDS} s...\n`);
    const baseline = await phase(base, child.pid!, false);
    const crashesBefore = exits.length;
    process.stderr.write(`abused: the same load with every kind of abuse beside it, ${SECONDS} s...\n`);
    const abused = await phase(base, child.pid!, true);
    const crashes = exits.length - crashesBefore;

    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}`);
    console.log(`load average (1 min) at start/end: baseline ${baseline.load.map((l) => l.toFixed(1)).join('/')}, abused ${abused.load.map((l) => l.toFixed(1)).join('/')}`);
    console.log(`load: ${RATE.ratios} req/s warm ratios, ${RATE.subgraph} req/s subgraph query, ${RATE.health} req/s /health, 4 connections each, ${SECONDS} s per phase; abuse from ${ABUSER_ADDRESS}`);
    console.log('');
    console.log('                       baseline p50/p99    abused p50/p99      p50 ratio  p99 ratio (aim)');
    const latency = (name: string, a: LoadResult, b: LoadResult, aim: string) =>
      console.log(
        `  ${name.padEnd(20)} ${`${a.latency.p50} / ${a.latency.p99} ms`.padEnd(19)} ${`${b.latency.p50} / ${b.latency.p99} ms`.padEnd(19)} ` +
          `${ratio(b.latency.p50, a.latency.p50).padEnd(10)} ${ratio(b.latency.p99, a.latency.p99)} (${aim})`,
      );
    latency('/health', baseline.health, abused.health, '<= 2x');
    latency('ratios', baseline.ratios, abused.ratios, '<= 2x');
    latency('subgraph query', baseline.subgraph, abused.subgraph, 'for reference');
    const row = (name: string, a: string, b: string, tail = '') => console.log(`  ${name.padEnd(20)} ${a.padEnd(19)} ${b.padEnd(19)} ${tail}`);
    row('peak RSS', mb(baseline.peakRss), mb(abused.peakRss), `           ${ratio(abused.peakRss, baseline.peakRss)} (<= 1.5x)`);
    const kinds = (p: Phase, f: (r: LoadResult) => number) => `${f(p.health)}/${f(p.ratios)}/${f(p.subgraph)}`;
    row('normal requests', kinds(baseline, (r) => r.requests.total), kinds(abused, (r) => r.requests.total), '(/health/ratios/subgraph)');
    row('normal non-2xx', kinds(baseline, (r) => r.non2xx), kinds(abused, (r) => r.non2xx));
    row('normal 5xx', kinds(baseline, (r) => r['5xx']), kinds(abused, (r) => r['5xx']), '(aim 0)');
    row('normal errors/t.o.', kinds(baseline, (r) => r.errors + r.timeouts), kinds(abused, (r) => r.errors + r.timeouts), '(aim 0)');
    row('crashes', String(crashesBefore), String(crashes), '(aim 0)');
    console.log('');
    console.log('abusive requests (sent, statuses, connection failures):');
    let abuse5xx = 0;
    for (const [kind, t] of abused.abuse) {
      const statuses = [...t.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s} x${n}`).join(', ');
      for (const [s, n] of t.statuses) if (s >= 500) abuse5xx += n;
      console.log(`  ${kind.padEnd(52)} ${String(t.sent).padStart(5)}  ${statuses}${t.failures ? `, ${t.failures} failed` : ''}`);
    }
    console.log(`abusive 5xx: ${abuse5xx} (aim 0)`);
    console.log('');
    console.log('worker pools since start, after each phase (calls completed/failed/refused busy/workers started):');
    for (const [name, before] of baseline.pools) {
      const after = abused.pools.get(name) ?? new Map<string, number>();
      const at = (m: Map<string, number>) => ['completed', 'failed', 'refused_busy', 'workers_started'].map((k) => m.get(k) ?? 0).join('/');
      console.log(`  ${name.padEnd(20)} baseline ${at(before).padEnd(16)} abused ${at(after)}`);
    }
  } finally {
    child.kill('SIGTERM');
    if (own) rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  const { base, seconds } = workerData as { base: string; seconds: number };
  void sendAbuse(selected(abusers(base, `${base}/subgraphs/name/gmx-v1/avalanche`)), seconds).then((tally) =>
    parentPort!.postMessage([...tally].map(([kind, t]) => [kind, { ...t, statuses: [...t.statuses] }])),
  );
}
