/**
 * `svr start --config` with `chains` and `follow`, as a user runs it (bin/svr.js,
 * compiled): follows gmx-v1 on a Hardhat node on loopback in a child process
 * while serving; `protocols { deployments { ... } }` over HTTP reports the
 * follower; a new block shows in `ratios` at once (the head feed drops the
 * cached head); SIGTERM stops the follower after its block with the store
 * flushed, and the process exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalNode, type LocalNode } from '../../bench/local-chain';
import { storePath } from '../../server/indexer/deployment';
import { PROJECT_ROOT } from '../../server/paths';
import { SqliteStore } from '../../server/store/sqlite-store';
import { emitGmx, gmxManifest, NETWORK, prepareChain, until } from '../indexer/rpc-fixture';

let node: LocalNode;
let child: ChildProcess | null = null;

beforeAll(async () => {
  if (!existsSync(join(PROJECT_ROOT, 'dist', 'server', 'cli.js'))) throw new Error('dist/ is missing: run `npm run build:ts` first');
  gmxManifest();
  node = await startLocalNode();
  await prepareChain(node);
  await emitGmx(node, 0, 15);
}, 240_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await node?.stop();
});

async function query<T>(url: string, q: string): Promise<T> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
  const body = (await res.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`no data: ${JSON.stringify(body)}`);
  return body.data;
}

interface Deployments {
  protocols: Array<{ id: string; deployments: Array<{ network: string; blockNumber: number | null; chainHeadBlock: number | null; lag: number | null; health: string | null; eventsPerSecond: number | null; lastError: string | null; restarts: number | null; following: boolean }> }>;
}

test('follows from the config while serving, reports it over HTTP, shows each new block, and exits 0 on SIGTERM with the store flushed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'svr-follow-cli-'));
  const config = join(dir, 'svr.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      chains: { [NETWORK]: { rpc: { env: 'SVR_TEST_ARB_RPC' }, finalityDepth: 12, pollIntervalMs: 50, callsPerSecond: 0 } },
      follow: [{ subgraph: 'gmx-v1', network: NETWORK }],
      followRestart: { initialMs: 200, maxMs: 2000 },
      // An hour's time to live for the head: only the head feed can make a new block visible within the test.
      cache: { ttlSeconds: 3600 },
    }),
  );
  const data = join(dir, 'data');
  child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'svr.js'), 'start', '--config', config, '--data', data, '--port', '0'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, SVR_TEST_ARB_RPC: node.url, SVR_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child!.once('exit', (code) => ok(code)));
  await until(() => /Try:/.test(out) || child!.exitCode !== null, 'svr start to serve', 240_000);
  const url = /gateway: +(http:\/\/\S+\/graphql)/.exec(out)?.[1];
  expect(url).toBeDefined();
  expect(out).toMatch(/following 1 deployment\(s\), one process each: gmx-v1\/arbitrum-one/);

  const deployments = `{ protocols { id deployments { network blockNumber chainHeadBlock lag health eventsPerSecond lastError restarts following } } }`;
  const head = await node.blockNumber();
  await until(async () => (await query<Deployments>(url!, deployments)).protocols[0]?.deployments[0]?.blockNumber === head, `the follower to reach block ${head}`);
  const d = (await query<Deployments>(url!, deployments)).protocols[0].deployments[0];
  expect(d).toMatchObject({ network: NETWORK, blockNumber: head, chainHeadBlock: head, lag: 0, health: 'healthy', lastError: null, restarts: 0, following: true });
  expect(d.eventsPerSecond).toBeGreaterThan(0);

  // The answer is kept in the whole-answer cache; a new block must replace it at once, not after the head's time to live.
  const ratios = '{ ratios { protocol network blockNumber openInterestUSD } }';
  const before = (await query<{ ratios: Array<{ blockNumber: number }> }>(url!, ratios)).ratios[0];
  expect(before.blockNumber).toBe(head);
  expect((await query<{ ratios: Array<{ blockNumber: number }> }>(url!, ratios)).ratios[0]).toEqual(before);
  await emitGmx(node, 15, 4, { every: 4, gap: 0 });
  const next = await node.blockNumber();
  await until(async () => (await query<{ ratios: Array<{ blockNumber: number }> }>(url!, ratios)).ratios[0].blockNumber === next, `ratios at block ${next}`);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(out).toMatch(/SIGTERM: stopping the followers after their current block/);
  const store = SqliteStore.openExisting(storePath(data, 'gmx-v1', NETWORK), { readonly: true });
  try {
    expect(store.head()).toEqual({ number: next, hash: (await node.header(next)).hash });
  } finally {
    store.close();
  }
});
