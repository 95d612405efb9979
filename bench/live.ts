/**
 * bench:live: end-to-end latency of following, with every demo deployment
 * (thirteen, on eight networks) followed at once (the live demo: one Hardhat node per network, one follower
 * process per deployment). For each block mined on a node, from the moment
 * the node answered evm_mine:
 *   node     the node's own new-block delivery: eth_newBlockFilter polled every
 *            2 ms (Node 20 has no WebSocket client built in and svr declares
 *            none, so not eth_subscribe) - the baseline;
 *   commit   the follower committed the block and the parent heard it (the head feed);
 *   http     the gateway's HTTP `ratio` query of the deployment answers at that block;
 *   ws       the `ratioUpdated` subscription (graphql-ws, one client for every
 *            deployment) delivers the deployment's snapshot at that block. Heads
 *            that arrive while one is computed coalesce into the newest, so a
 *            skipped block has no sample; the count says how many arrived.
 * Prints p50 and p99 of each, and each as a ratio to the node's in the same run.
 */
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { loadConfig, startServer } from '../server/gateway';
import { PROJECT_ROOT } from '../server/paths';
import { startFollowers } from '../server/start/follow';
import { prepareLiveDemo } from '../server/start/live-demo';

const SUBGRAPHS = join(PROJECT_ROOT, 'subgraph');
const MINUTES = Number(process.env.BENCH_LIVE_MINUTES ?? 60);
/** Wall milliseconds between mined minutes: the followers are idle (polling) when each block arrives, as on a real chain. */
const SPACING_MS = Number(process.env.BENCH_LIVE_SPACING_MS ?? 400);

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-bench-live-'));
  const subgraphs = new Map(['aave-v3', 'gmx-v1', 'gmx-v2', 'synthetix-perps-v2'].map((n) => [n, join(SUBGRAPHS, n)]));
  const demo = await prepareLiveDemo(dataDir, { subgraphs, sourceRoot: SUBGRAPHS, seed: 5, days: 0.2, leadMinutes: 10, log: () => undefined });
  const supervisor = await startFollowers(demo.config, dataDir, { subgraphDir: (n) => subgraphs.get(n)!, sourceRoot: SUBGRAPHS, log: () => undefined });
  const server = await startServer({ dataDir, port: 0, host: '127.0.0.1', config: loadConfig({ file: null, env: {} }), heads: supervisor, followers: supervisor });
  const mined = new Map<string, number>(); // network/block -> ms
  const node: number[] = [];
  const commit: number[] = [];
  const http: number[] = [];
  const ws: number[] = [];
  const pending: Array<Promise<void>> = [];
  demo.onMined = (network, block) => mined.set(`${network}/${block}`, performance.now());

  // The node's own delivery: one block filter per node, polled.
  let polling = true;
  const pollers = demo.networks.map(async (n) => {
    const filter = await n.node.rpc<string>('eth_newBlockFilter');
    while (polling) {
      const hashes = await n.node.rpc<string[]>('eth_getFilterChanges', [filter]);
      const at = performance.now();
      for (const hash of hashes) {
        const b = await n.node.rpc<{ number: string }>('eth_getBlockByHash', [hash, false]);
        const t = mined.get(`${n.network}/${Number(b.number)}`);
        if (t !== undefined) node.push(at - t);
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  });

  // The subscription: one graphql-ws client, every deployment's updates.
  const client = createClient({ url: `${server.url.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0 });
  let subscribed!: () => void;
  const ready = new Promise<void>((ok) => (subscribed = ok));
  const unsubscribe = client.subscribe<{ ratioUpdated: { network: string; block: { number: number } } }>(
    { query: 'subscription { ratioUpdated { protocol network block { number } } }' },
    {
      next: (value) => {
        const u = value.data?.ratioUpdated;
        const t = u && mined.get(`${u.network}/${u.block.number}`);
        if (t !== undefined && t !== null) ws.push(performance.now() - t);
      },
      error: (e) => console.error('subscription failed:', e),
      complete: () => undefined,
    },
  );
  client.on('connected', () => subscribed());
  await ready;
  await new Promise((r) => setTimeout(r, 500)); // the subscription is registered with the live figures

  supervisor.subscribe((head) => {
    const t = mined.get(`${head.network}/${head.number}`);
    if (t === undefined) return;
    commit.push(performance.now() - t);
    pending.push(
      (async () => {
        for (let attempt = 0; attempt < 200; attempt++) {
          const res = await fetch(`${server.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query: `{ ratio(protocol: "${head.protocol}", network: "${head.network}") { blockNumber } }` }),
          });
          const body = (await res.json()) as { data?: { ratio: { blockNumber: number } | null } };
          if ((body.data?.ratio?.blockNumber ?? -1) >= head.number) {
            http.push(performance.now() - t);
            return;
          }
        }
      })(),
    );
  });

  for (let i = 0; i < MINUTES; i++) {
    if (!(await demo.mineNext())) break;
    await new Promise((r) => setTimeout(r, SPACING_MS));
  }
  await new Promise((r) => setTimeout(r, 1000));
  polling = false;
  await Promise.all(pollers);
  await Promise.all(pending);
  unsubscribe();
  await client.dispose();
  await supervisor.stop();
  await server.close();
  await demo.stop();
  rmSync(dataDir, { recursive: true, force: true });

  const cpu = cpus();
  console.log(`machine: ${cpu[0]?.model ?? 'unknown CPU'} x ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, ${platform()} ${release()}, Node ${process.version}`);
  console.log(`chain: Hardhat ${require('hardhat/package.json').version}, ${demo.networks.length} nodes; ${demo.config.follow.length} deployments followed at once, one process each; ${MINUTES} blocks per network, ${SPACING_MS} ms apart`);
  const base = [...node].sort((a, b) => a - b);
  const b50 = quantile(base, 0.5);
  const b99 = quantile(base, 0.99);
  for (const [name, samples] of [['node newBlockFilter (baseline)', node], ['svr commit (head feed)', commit], ['svr HTTP ratio at the block', http], ['svr ratioUpdated subscription', ws]] as const) {
    const s = [...samples].sort((a, b) => a - b);
    const p50 = quantile(s, 0.5);
    const p99 = quantile(s, 0.99);
    console.log(`  ${name.padEnd(32)} n=${String(s.length).padStart(4)}  p50 ${p50.toFixed(1).padStart(7)} ms (${(p50 / b50).toFixed(2)}x)  p99 ${p99.toFixed(1).padStart(7)} ms (${(p99 / b99).toFixed(2)}x)`);
  }
  console.log('  (the ratios are each figure over the baseline\'s same quantile)');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
