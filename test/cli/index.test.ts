/**
 * `svr index` end to end, as a user runs it: the compiled CLI in a child
 * process, NDJSON files on disk, the store file afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { generate } from '../../bench/runtime';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, storePath } from '../../server/indexer/deployment';
import { SqliteStore } from '../../server/store/sqlite-store';
import type { BlockWithLogs } from '../../server/ingest/types';
import { DEMO_DEPLOYMENTS } from '../gateway/demo-stack';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'bench', 'fixtures', 'gmx-positions');
const hex = (n: bigint) => '0x' + n.toString(16);

function svr(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'svr.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function writeNdjson(dir: string, blocks: BlockWithLogs[]): { logs: string; blocks: string } {
  const logs = blocks
    .flatMap((b) => b.logs)
    .map((l) =>
      JSON.stringify({
        address: l.address,
        topics: l.topics,
        data: l.data,
        blockNumber: hex(l.blockNumber),
        blockHash: l.blockHash,
        transactionHash: l.transactionHash,
        transactionIndex: hex(BigInt(l.transactionIndex)),
        logIndex: hex(BigInt(l.logIndex)),
        removed: false,
      }),
    );
  const headers = blocks.map((b) =>
    JSON.stringify({ number: hex(b.header.number), hash: b.header.hash, parentHash: b.header.parentHash, timestamp: hex(b.header.timestamp) }),
  );
  const paths = { logs: join(dir, 'logs.ndjson'), blocks: join(dir, 'blocks.ndjson') };
  writeFileSync(paths.logs, logs.join('\n') + '\n');
  writeFileSync(paths.blocks, headers.join('\n') + '\n');
  return paths;
}

const blocks = generate(3000, 10);
let manifestPath: string;
let expectedDigest: string;

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'server', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`');
  }
  manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'arbitrum-one' });
  // The same blocks indexed in-process in one go: what every CLI run must end up with.
  const dir = mkdtempSync(join(tmpdir(), 'svr-cli-ref-'));
  const d = new Deployment({ manifestPath, subgraph: 'gmx-positions', dataDir: dir });
  for (const b of blocks) d.processBlock(b);
  expectedDigest = d.store.digest();
  d.close();
});

test('every command has --help', () => {
  for (const args of [['--help'], ['index', '--help'], ['build', '--help'], ['start', '--help'], ['replay', '--help']]) {
    const r = svr(args);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Usage: svr/);
  }
  expect(svr(['index', '--help']).stdout).toMatch(/--logs <file>[\s\S]*--blocks <file>[\s\S]*--data <dir>/);
});

test('svr --version names svr, graph-cli and Node', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const cli = JSON.parse(readFileSync(require.resolve('@graphprotocol/graph-cli/package.json'), 'utf8')) as { version: string };
  const r = svr(['--version']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim()).toBe(`svr ${pkg.version} (graph-cli ${cli.version}, Node ${process.version})`);
});

test('indexes NDJSON files into the store and prints a summary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-cli-'));
  const files = writeNdjson(dir, blocks);
  const data = join(dir, 'data');
  const r = svr(['index', '--subgraph', FIXTURE, '--network', 'arbitrum-one', '--logs', files.logs, '--blocks', files.blocks, '--data', data]);
  expect(r.stderr).toMatch(/blocks\/s.*events\/s/);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`indexed ${blocks.length} blocks, 3000 logs read, 3000 handlers run`));
  const store = SqliteStore.openExisting(storePath(data, 'gmx-positions', 'arbitrum-one'));
  expect(store.digest()).toBe(expectedDigest);
  store.close();
});

test('a second run resumes after the last indexed block: nothing lost, nothing counted twice', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-cli-resume-'));
  const data = join(dir, 'data');
  const firstDir = mkdtempSync(join(dir, 'first-'));
  const first = writeNdjson(firstDir, blocks.slice(0, 120));
  const all = writeNdjson(dir, blocks);
  const base = ['index', '--subgraph', FIXTURE, '--network', 'arbitrum-one', '--data', data, '--quiet'];
  expect(svr([...base, '--logs', first.logs, '--blocks', first.blocks]).code).toBe(0);
  const r = svr([...base, '--logs', all.logs, '--blocks', all.blocks]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(new RegExp(`indexed ${blocks.length - 120} blocks \\(120 already indexed, skipped\\)`));
  const store = SqliteStore.openExisting(storePath(data, 'gmx-positions', 'arbitrum-one'));
  expect(store.digest()).toBe(expectedDigest);
  store.close();
});

test('a malformed line stops with the file and line, before any block is applied', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-cli-bad-'));
  const files = writeNdjson(dir, blocks.slice(0, 50));
  const lines = require('node:fs').readFileSync(files.logs, 'utf8').split('\n');
  lines[200] = '{"address": "0x12"';
  writeFileSync(files.logs, lines.join('\n'));
  const data = join(dir, 'data');
  const r = svr(['index', '--subgraph', FIXTURE, '--network', 'arbitrum-one', '--logs', files.logs, '--blocks', files.blocks, '--data', data]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`${files.logs} line 201: not valid JSON`);
  expect(existsSync(storePath(data, 'gmx-positions', 'arbitrum-one'))).toBe(false);
});

const GMX_V2_REAL_LOGS = resolve(ROOT, '../shared/fixtures/real-logs-gmx-v2');
const HAVE_GMX_V2_REAL_LOGS = existsSync(join(GMX_V2_REAL_LOGS, 'gmx-v2.arbitrum-one.blocks.ndjson'));
if (!HAVE_GMX_V2_REAL_LOGS) console.warn(`test/cli/index.test.ts: --unlinked-blocks test SKIPPED because ${GMX_V2_REAL_LOGS} does not exist (../shared sits beside the repository).`);
(HAVE_GMX_V2_REAL_LOGS ? test : test.skip)('blocks without parent hashes: refused with the remedy, indexed with --unlinked-blocks and counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-cli-unlinked-'));
  const data = join(dir, 'data');
  const base = ['index', '--subgraph', 'gmx-v2', '--network', 'arbitrum-one', '--logs', join(GMX_V2_REAL_LOGS, 'gmx-v2.arbitrum-one.logs.ndjson'), '--blocks', join(GMX_V2_REAL_LOGS, 'gmx-v2.arbitrum-one.blocks.ndjson'), '--data', data, '--quiet'];
  const refused = svr(base);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toMatch(/line 1: "parentHash" is null.*--unlinked-blocks/);
  const r = svr([...base, '--unlinked-blocks']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/gmx-v2\/arbitrum-one: indexed 2 blocks \(2 with their parent unknown: not linked\), 54 logs read/);
  const store = SqliteStore.openExisting(storePath(data, 'gmx-v2', 'arbitrum-one'));
  expect(store.blocksAtOrBelow(487783779, 5).map((b) => [b.number, b.parentHash])).toEqual([
    [487783779, null],
    [487783565, null],
  ]);
  store.close();
});

test('an unknown subgraph is refused with the ones that exist', () => {
  const r = svr(['index', '--subgraph', 'nope', '--network', 'arbitrum-one', '--logs', 'x', '--blocks', 'y']);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/no subgraph "nope"/);
});

/**
 * Runs `svr start --no-live` (the static demo) until it prints that it serves, asks its gateway for every
 * deployment's ratio, then stops it; returns what it printed and the answer.
 */
function startUntilServing(data: string): Promise<{ out: string; ratios: Array<Record<string, unknown>> }> {
  return new Promise((resolveOut, reject) => {
    const child = require('node:child_process').spawn(process.execPath, [join(ROOT, 'bin', 'svr.js'), 'start', '--no-live', '--data', data, '--port', '0'], { cwd: ROOT });
    let out = '';
    let asked = false;
    // A guard against a hang, not a measure of speed: the start's work is bounded; a loaded machine only makes it slower.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`svr start did not serve within 600 s (hung?):\n${out}`));
    }, 600_000);
    const onData = async (chunk: Buffer) => {
      out += chunk.toString();
      const url = /gateway: +(http:\/\/\S+\/graphql)/.exec(out)?.[1];
      if (url && /Try:/.test(out) && !asked) {
        asked = true;
        clearTimeout(timer);
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: '{ ratios { protocol network collateralUSD openInterestUSD ratio complete } }' }),
          });
          const body = (await res.json()) as { data: { ratios: Array<Record<string, unknown>> } };
          resolveOut({ out, ratios: body.data.ratios });
        } catch (e) {
          reject(e);
        } finally {
          child.kill('SIGTERM');
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code: number | null) => {
      if (!asked) {
        clearTimeout(timer);
        reject(new Error(`svr start exited with ${code}:\n${out}`));
      }
    });
  });
}

test('svr start indexes the synthetic demo chain once and serves the gateway over every demo deployments; a second start reuses the data', async () => {
  const data = join(mkdtempSync(join(tmpdir(), 'svr-start-')), 'data');
  const first = await startUntilServing(data);
  expect(first.out).toMatch(/SYNTHETIC demo chain/);
  expect(first.out.match(/ {2}indexed /g)?.length).toBe(DEMO_DEPLOYMENTS.length);
  expect(first.out).toMatch(new RegExp(`subgraphs: ${DEMO_DEPLOYMENTS.length} deployment\\(s\\)`));
  for (const path of DEMO_DEPLOYMENTS) expect(first.out).toContain(`/subgraphs/name/${path}`);
  expect(first.ratios.map((r) => `${r.protocol}/${r.network}`).sort()).toEqual([...DEMO_DEPLOYMENTS].sort());
  for (const r of first.ratios) {
    expect(r.complete).toBe(true);
    expect(Number(r.collateralUSD)).toBeGreaterThan(0);
    expect(Number(r.openInterestUSD)).toBeGreaterThan(0);
  }
  const second = await startUntilServing(data);
  expect(second.out).not.toMatch(/generating|indexed /);
  expect(second.out).toMatch(new RegExp(`subgraphs: ${DEMO_DEPLOYMENTS.length} deployment\\(s\\)`));
  expect(second.ratios).toEqual(first.ratios);
}, 1_200_000);
