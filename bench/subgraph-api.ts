/**
 * npm run bench:subgraph-api
 *
 * Latency (p50/p99, one request at a time) and throughput (16 requests in
 * flight) of `svr serve` on loopback for three typical queries, each against
 * a floor measured in the same run: the same rows read with hand-written SQL
 * through better-sqlite3 in this process, decoded to the same JSON text.
 * The server runs in a child process (`bin/svr.js serve`); the in-process
 * API (no HTTP) is also measured, to tell query work from HTTP cost.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../server/paths';
import { decimalFromString, decimalToString } from '../server/runtime/numbers';
import type { Value } from '../server/runtime/values';
import { decodeSortableBigInt, decodeSortableDecimal } from '../server/store/codec';
import type { Modification } from '../server/store/entity-cache';
import { SqliteStore } from '../server/store/sqlite-store';
import { executeRequest, ServedDeployment } from '../server/subgraph-api';

const POSITIONS = 20_000;
const ACCOUNTS = 500;
const MARKETS = 20;
const BLOCKS = 50;
const UPDATES_PER_BLOCK = 400;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function buildStore(dataDir: string): void {
  const rand = rng(7);
  mkdirSync(join(dataDir, 'bench'), { recursive: true });
  const schema = readFileSync(join(PROJECT_ROOT, 'test', 'fixtures', 'subgraphs', 'api-fixture', 'schema.graphql'), 'utf8');
  const store = SqliteStore.open(join(dataDir, 'bench', 'arbitrum-one.sqlite'), schema, { deployment: 'QmBench', subgraph: 'bench', network: 'arbitrum-one', startBlock: 1 });
  const S = (value: string): Value => ({ kind: 'String', value });
  const market = (i: number): Value => ({ kind: 'Bytes', value: Buffer.from([i + 1]) });
  const position = (i: number): Map<string, Value> =>
    new Map<string, Value>([
      ['id', S(`p${i}`)],
      ['account', S(`a${i % ACCOUNTS}`)],
      ['market', market(i % MARKETS)],
      ['side', S(rand() < 0.5 ? 'LONG' : 'SHORT')],
      ['size', { kind: 'BigInt', value: BigInt(Math.floor(rand() * 1e9)) * 10n ** 18n }],
      ['collateral', { kind: 'BigDecimal', value: decimalFromString((rand() * 1e6).toFixed(6)) }],
      ['leverage', { kind: 'Int', value: 1 + Math.floor(rand() * 50) }],
      ['open', { kind: 'Bool', value: rand() < 0.7 }],
    ]);
  const hash = (n: number) => '0x' + n.toString(16).padStart(64, '0');
  const first: Modification[] = [];
  for (let i = 0; i < MARKETS; i++) first.push({ kind: 'insert', entityType: 'Market', id: '0x' + (i + 1).toString(16).padStart(2, '0'), data: new Map([['id', market(i)], ['symbol', S(`M${i}`)]]) });
  for (let i = 0; i < ACCOUNTS; i++) {
    first.push({
      kind: 'insert',
      entityType: 'Account',
      id: `a${i}`,
      data: new Map<string, Value>([
        ['id', S(`a${i}`)],
        ['name', S(`account ${i}`)],
        ['tags', { kind: 'List', value: [] }],
        ['markets', { kind: 'List', value: [market(i % MARKETS)] }],
        ['score', { kind: 'Int8', value: BigInt(i) }],
        ['createdAt', { kind: 'Timestamp', value: 1710837304040956n + BigInt(i) }],
      ]),
    });
  }
  for (let i = 0; i < POSITIONS; i++) first.push({ kind: 'insert', entityType: 'Position', id: `p${i}`, data: position(i) });
  store.commitBlock({ number: 1, hash: hash(1), parentHash: hash(0), timestamp: 1700000000 }, first, []);
  for (let b = 2; b <= BLOCKS; b++) {
    const mods: Modification[] = [];
    const seen = new Set<number>();
    for (let k = 0; k < UPDATES_PER_BLOCK; k++) {
      const i = Math.floor(rand() * POSITIONS);
      if (seen.has(i)) continue;
      seen.add(i);
      mods.push({ kind: 'overwrite', entityType: 'Position', id: `p${i}`, data: position(i) });
    }
    store.commitBlock({ number: b, hash: hash(b), parentHash: hash(b - 1), timestamp: 1700000000 + 12 * b }, mods, []);
  }
  store.close();
}

interface Scenario {
  name: string;
  /** The request body, as a client sends it. */
  query: () => { query: string; variables?: Record<string, unknown> };
  floor: (db: Database.Database) => string;
}

const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');

function scenarios(): Scenario[] {
  const rand = rng(99);
  let pick = { id: 0, block: 1 };
  const next = () => (pick = { id: Math.floor(rand() * POSITIONS), block: 1 + Math.floor(rand() * BLOCKS) });
  return [
    {
      name: '1000 positions, where + orderBy',
      query: () => ({ query: '{ positions(first: 1000, where: {open: true, leverage_gte: 5}, orderBy: size, orderDirection: desc) { id size collateral leverage side } }' }),
      floor: (db) => {
        const rows = db
          .prepare(`SELECT id, size, collateral, leverage, side FROM Position WHERE __to IS NULL AND open = 1 AND leverage >= 5 ORDER BY size DESC, id DESC LIMIT 1000`)
          .all() as Array<{ id: string; size: string; collateral: string; leverage: bigint; side: string }>;
        return JSON.stringify({
          data: {
            positions: rows.map((r) => ({
              id: r.id,
              size: decodeSortableBigInt(r.size).toString(),
              collateral: decimalToString(decodeSortableDecimal(r.collateral)),
              leverage: Number(r.leverage),
              side: r.side,
            })),
          },
        });
      },
    },
    {
      name: 'one position at a past block',
      query: () => {
        next();
        return {
          query: 'query position($id: ID!, $block: Int!) { position(id: $id, block: {number: $block}) { id size collateral open } }',
          variables: { id: `p${pick.id}`, block: pick.block },
        };
      },
      floor: (db) => {
        next();
        const r = db
          .prepare(`SELECT id, size, collateral, open FROM Position WHERE id = ? AND __from <= ? AND (__to IS NULL OR __to > ?)`)
          .get(`p${pick.id}`, pick.block, pick.block) as { id: string; size: string; collateral: string; open: bigint } | undefined;
        return JSON.stringify({
          data: { position: r ? { id: r.id, size: decodeSortableBigInt(r.size).toString(), collateral: decimalToString(decodeSortableDecimal(r.collateral)), open: Number(r.open) === 1 } : null },
        });
      },
    },
    {
      name: 'nested: 100 accounts x 10 positions x market',
      query: () => ({ query: '{ accounts(first: 100) { id name positions(first: 10) { id size market { symbol } } } }' }),
      floor: (db) => {
        const accounts = db.prepare(`SELECT id, name FROM Account WHERE __to IS NULL ORDER BY id LIMIT 100`).all() as Array<{ id: string; name: string }>;
        const positions = db
          .prepare(
            `SELECT * FROM (SELECT id, account, size, market, ROW_NUMBER() OVER (PARTITION BY account ORDER BY id) rn FROM Position
             WHERE __to IS NULL AND account IN (SELECT value FROM json_each(?))) WHERE rn <= 10 ORDER BY account, rn`,
          )
          .all(JSON.stringify(accounts.map((a) => a.id))) as Array<{ id: string; account: string; size: string; market: Uint8Array }>;
        const markets = db
          .prepare(`SELECT id, symbol FROM Market WHERE __to IS NULL AND id IN (SELECT unhex(substr(value, 3)) FROM json_each(?))`)
          .all(JSON.stringify([...new Set(positions.map((p) => hex(p.market)))])) as Array<{ id: Uint8Array; symbol: string }>;
        const symbol = new Map(markets.map((m) => [hex(m.id), m.symbol]));
        const byAccount = new Map<string, unknown[]>();
        for (const p of positions) {
          let list = byAccount.get(p.account);
          if (!list) byAccount.set(p.account, (list = []));
          list.push({ id: p.id, size: decodeSortableBigInt(p.size).toString(), market: { symbol: symbol.get(hex(p.market)) } });
        }
        return JSON.stringify({ data: { accounts: accounts.map((a) => ({ id: a.id, name: a.name, positions: byAccount.get(a.id) ?? [] })) } });
      },
    },
  ];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function timeSync(n: number, fn: () => void): number[] {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return times.sort((a, b) => a - b);
}

let agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function post(url: URL, body: string): Promise<string> {
  return new Promise((ok, fail) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok(Buffer.concat(chunks).toString()));
    });
    req.on('error', fail);
    req.end(body);
  });
}

async function timeHttp(n: number, url: URL, query: Scenario['query']): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const body = JSON.stringify(query());
    const t = process.hrtime.bigint();
    const text = await post(url, body);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
    if (i === 0 && text.includes('"errors"')) throw new Error(`query failed: ${text}`);
  }
  return times.sort((a, b) => a - b);
}

async function throughputHttp(seconds: number, concurrency: number, url: URL, query: Scenario['query']): Promise<number> {
  const end = Date.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < end) {
        await post(url, JSON.stringify(query()));
        done++;
      }
    }),
  );
  return done / seconds;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-bench-api-'));
  try {
    const t0 = Date.now();
    buildStore(dataDir);
    console.log(`store: ${POSITIONS} positions, ${ACCOUNTS} accounts, ${MARKETS} markets, ${BLOCKS} blocks (${UPDATES_PER_BLOCK} updates each), built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    process.stderr.write('store built\n');
    const storePath = join(dataDir, 'bench', 'arbitrum-one.sqlite');
    // Index creation happens when a server opens the store; do it once before measuring either side.
    const inProcess = ServedDeployment.open(storePath, 'bench', 'arbitrum-one');
    const floorDb = new Database(storePath, { readonly: true });
    floorDb.defaultSafeIntegers(true);

    const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'svr.js'), 'serve', '--data', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const url = await new Promise<URL>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/subgraphs\/name\/bench\/arbitrum-one)/.exec(out);
        if (m) ok(new URL(m[1]));
      });
      child.on('exit', (code) => fail(new Error(`svr serve exited with ${code}`)));
    });

    const N = 400;
    console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown cpu'}, node ${process.version}; ${N} sequential requests per figure, throughput with 16 in flight for 3 s`);
    console.log('');
    const rows: string[][] = [['query', 'floor p50/p99 ms', 'in-process API p50/p99 ms', 'HTTP p50/p99 ms', 'HTTP/floor p50', 'HTTP/floor p99', 'HTTP req/s', 'floor req/s', 'throughput ratio']];
    for (const s of scenarios()) {
      process.stderr.write(`${s.name}: floor...`);
      for (let i = 0; i < 50; i++) s.floor(floorDb); // warm up
      const floor = timeSync(N, () => s.floor(floorDb));
      process.stderr.write(' api...');
      const api = timeSync(N, () => JSON.stringify(executeRequest(inProcess, s.query())));
      process.stderr.write(' http...');
      agent.destroy();
      agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
      await timeHttp(50, url, s.query);
      const httpTimes = await timeHttp(N, url, s.query);
      process.stderr.write(' throughput\n');
      const rps = await throughputHttp(3, 16, url, s.query);
      const floorRps = 1000 / (floor.reduce((a, b) => a + b, 0) / floor.length);
      const f = (t: number[]) => `${percentile(t, 0.5).toFixed(3)} / ${percentile(t, 0.99).toFixed(3)}`;
      rows.push([
        s.name,
        f(floor),
        f(api),
        f(httpTimes),
        (percentile(httpTimes, 0.5) / percentile(floor, 0.5)).toFixed(2) + 'x',
        (percentile(httpTimes, 0.99) / percentile(floor, 0.99)).toFixed(2) + 'x',
        rps.toFixed(0),
        floorRps.toFixed(0),
        (floorRps / rps).toFixed(2) + 'x',
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
    for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
    console.log('\nfloor: hand-written SQL through better-sqlite3 in this process, decoded to the same JSON text (one thread, no HTTP);');
    console.log('floor req/s is 1 / mean floor latency. Ratios above 1 mean svr is slower than the floor.');
    child.kill('SIGTERM');
    agent.destroy();
    inProcess.close();
    floorDb.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exitCode = 1;
  });
}
