/**
 * The `svr` command line. Every command has --help.
 */
import { Command, InvalidArgumentError } from 'commander';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { basename, join, resolve, sep } from 'node:path';
import { buildSubgraph, graphCliVersion } from './compile/graph-build';
import { indexFiles, type IndexProgress } from './indexer/index-files';
import { indexRpc } from './indexer/index-rpc';
import { DEMO_PROTOCOLS, runDemo } from './demo';
import { indexDemo } from './start/demo';
import { DEFAULT_LEAD_MINUTES, DEFAULT_SECONDS_PER_MINUTE } from './start/live-demo';
import { startLiveDemo } from './start/live-start';
import { withDemoAlerts } from './start/demo-alerts';
import { startFollowers } from './start/follow';
import type { FollowerStatusSource, HeadFeed } from './indexer/heads';
import type { GatewayConfig } from './gateway';
import { PROJECT_ROOT } from './paths';
import { loadConfig, startServer } from './gateway';
import { REPLAY_KINDS } from './gateway/replay';

const SUBGRAPHS = join(PROJECT_ROOT, 'subgraph');

/**
 * Subgraph folders under subgraph/ (each with a subgraph.yaml), with the
 * networks subgraph/networks.json configures for all of their data sources
 * (what `graph build --network` needs).
 */
export function listSubgraphs(): Array<{ name: string; dir: string; networks: string[] }> {
  if (!existsSync(SUBGRAPHS)) return [];
  const networksFile = join(SUBGRAPHS, 'networks.json');
  const networks: Record<string, Record<string, unknown>> = existsSync(networksFile) ? JSON.parse(readFileSync(networksFile, 'utf8')) : {};
  return readdirSync(SUBGRAPHS, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(SUBGRAPHS, d.name, 'subgraph.yaml')))
    .map((d) => {
      const manifest = parseYaml(readFileSync(join(SUBGRAPHS, d.name, 'subgraph.yaml'), 'utf8')) as { dataSources?: Array<{ name: string }> };
      const names = (manifest.dataSources ?? []).map((ds) => ds.name);
      return {
        name: d.name,
        dir: join(SUBGRAPHS, d.name),
        networks: Object.keys(networks).filter((n) => names.length > 0 && names.every((ds) => ds in networks[n])),
      };
    });
}

function resolveSubgraphDir(name: string): string {
  const candidates = [join(SUBGRAPHS, name), resolve(name)];
  const dir = candidates.find((c) => existsSync(join(c, 'subgraph.yaml')));
  if (!dir) {
    const known = listSubgraphs().map((s) => s.name);
    throw new InvalidArgumentError(
      `no subgraph "${name}": give a folder under subgraph/ (${known.length ? known.join(', ') : 'none yet'}) or a path to a folder with a subgraph.yaml`,
    );
  }
  return dir;
}

/** "1h 02m", "3m 05s", "12s": an ETA. */
function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

function progressPrinter(label: string): { update(p: IndexProgress): void; done(): void } {
  const tty = process.stderr.isTTY;
  const start = Date.now();
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < (tty ? 100 : 5000) && p.blocksDone !== p.blocksTotal) return;
      last = now;
      const secs = Math.max((now - start) / 1000, 1e-3);
      const width = 30;
      const filled = Math.min(width, Math.round((p.blocksDone / Math.max(p.blocksTotal, 1)) * width));
      const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
      const blocksPerSecond = p.blocksDone / secs;
      const left = p.blocksTotal - p.blocksDone;
      const line =
        `${label} [${bar}] ${p.blocksDone}/${p.blocksTotal} blocks, block ${p.block}` +
        (p.chainHead !== undefined ? ` (${Math.max(0, p.chainHead - p.block)} behind head ${p.chainHead})` : '') +
        `, ${blocksPerSecond.toFixed(0)} blocks/s, ${(p.events / secs).toFixed(0)} events/s` +
        (left > 0 ? `, ETA ${duration(left / Math.max(blocksPerSecond, 1e-9))}` : '');
      process.stderr.write(tty ? `\r${line}\u001b[K` : line + '\n');
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

const SAMPLE_QUERY = `{
  ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber complete }
  aggregate { collateralUSD openInterestUSD ratio bufferUSD missingSources }
}`;

/** What `svr start` adds to serving: the followers' head feed and state, and what to stop before the server closes. */
interface Following {
  supervisor: HeadFeed & FollowerStatusSource;
  /** Stops the followers (each after its current block, stores flushed) and whatever feeds them. */
  stop(): Promise<void>;
}

/**
 * Serves, on one port, the gateway at /graphql and graph-node's query API for
 * every deployment in a data directory, until SIGINT/SIGTERM: then stops the
 * followers (after their current block, stores flushed), closes the server and
 * exits 0.
 */
async function serveData(
  dataDir: string,
  opts: { port: string; host: string; config?: string; federation?: boolean },
  following?: Following,
  loaded?: GatewayConfig,
): Promise<void> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`--port (or PORT) must be a port number, not "${opts.port}"`);
  const config = loaded ?? loadConfig({ file: opts.config });
  const running = await startServer({
    dataDir,
    port,
    host: opts.host,
    config,
    federation: opts.federation,
    heads: following?.supervisor,
    followers: following?.supervisor,
  });
  const deployments = running.deployments.list();
  const sources = running.sources.registry.list();
  console.log(`svr: serving on ${running.url}${config.production ? ' (production mode)' : ''}${config.file ? `, config ${config.file}` : ''}`);
  console.log(`  page:      ${running.url}/  (every venue's state and trend, stress, VaR, contagion, alerts: in a browser)`);
  console.log(`  gateway:   ${running.url}/graphql${opts.federation ? ' (as an Apollo Federation subgraph)' : ''}  cache: ${running.sources.cache.backend}`);
  console.log(`  sources:   ${sources.length ? sources.map((s) => `${s.protocol}/${s.network}`).join(', ') : 'none'}${config.sources ? ' (from the config file)' : ''}`);
  console.log(`  subgraphs: ${deployments.length} deployment(s) from ${dataDir}`);
  const servedOnly = new Map(running.servedOnly.map((d) => [`${d.subgraph}/${d.network}`, d.reason]));
  for (const d of deployments) {
    const reason = servedOnly.get(`${d.subgraph}/${d.network}`);
    const followed = following?.supervisor.status(d.subgraph, d.network);
    console.log(`    ${running.subgraphUrl}/subgraphs/name/${d.subgraph}/${d.network}${followed ? '  (followed)' : ''}${reason ? `  (served only, not a gateway source: ${reason})` : ''}`);
  }
  for (const d of running.deployments.unavailable()) console.log(`    ${d.subgraph}/${d.network}: left out, ${d.reason}`);
  if (sources.length === 0) console.log('  (no sources yet: index a deployment with `svr index`, or configure sources, then restart)');
  else {
    console.log('Try:');
    console.log(`  curl -s ${running.url}/graphql -H 'content-type: application/json' -d '${JSON.stringify({ query: SAMPLE_QUERY.replace(/\s+/g, ' ') })}'`);
    if (following) console.log(`  curl -s ${running.url}/graphql -H 'content-type: application/json' -d '${JSON.stringify({ query: FOLLOW_QUERY })}'`);
    if (config.explorer !== 'off') console.log(`  or open ${running.url}/graphql in a browser (${config.explorer === 'sandbox' ? 'Apollo Sandbox, from the internet' : 'GraphiQL, offline'})`);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      process.stderr.write(`svr: ${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stderr.write(`svr: ${signal}: stopping${following ? ' the followers after their current block, then' : ''} the server ...\n`);
    (async () => {
      await following?.stop();
      await running.close();
    })().then(
      () => process.exit(0),
      (e: Error) => {
        process.stderr.write(`svr: stopping failed: ${e.message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const FOLLOW_QUERY = '{ protocols { id deployments { network blockNumber chainHeadBlock lag health eventsPerSecond lastError restarts following } } }';

interface IndexCommandOptions {
  subgraph: string;
  network: string;
  logs?: string;
  blocks?: string;
  calls?: string;
  rpc?: string;
  from?: string;
  to?: string;
  follow?: boolean;
  finalityDepth?: string;
  rpcRate: string;
  rpcTimeout: string;
  data: string;
  sourceRoot?: string;
  unlinkedBlocks?: boolean;
  quiet?: boolean;
}

interface RpcIndexArgs {
  url: string;
  from?: number;
  to?: number;
  finalityDepth?: number;
  callsPerSecond: number;
  timeoutMs: number;
}

/** `svr index` reads files or a node, not both; says which flags go together. Returns the RPC settings, or null for files. */
function checkIndexSource(opts: IndexCommandOptions): RpcIndexArgs | null {
  const whole = (flag: string, text: string | undefined, min = 0): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be a whole number${min ? ` of at least ${min}` : ''}, not "${text}"`);
    return n;
  };
  if (opts.rpc !== undefined) {
    if (opts.logs !== undefined || opts.blocks !== undefined || opts.calls !== undefined) {
      throw new InvalidArgumentError('--rpc reads logs, blocks and contract calls from the node: leave out --logs, --blocks and --calls (or leave out --rpc to index files)');
    }
    if (opts.follow && opts.to !== undefined) throw new InvalidArgumentError('--follow indexes without end: leave out --to, or leave out --follow to stop at --to');
    const from = whole('--from', opts.from);
    const to = whole('--to', opts.to);
    if (from !== undefined && to !== undefined && to < from) throw new InvalidArgumentError(`--to ${to} is before --from ${from}`);
    return {
      url: opts.rpc,
      from,
      to,
      finalityDepth: whole('--finality-depth', opts.finalityDepth),
      callsPerSecond: whole('--rpc-rate', opts.rpcRate)!,
      timeoutMs: whole('--rpc-timeout', opts.rpcTimeout, 1)!,
    };
  }
  const rpcOnly = (['from', 'to', 'follow', 'finalityDepth'] as const).filter((k) => opts[k] !== undefined);
  if (rpcOnly.length > 0) {
    const flag = (k: string) => '--' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
    throw new InvalidArgumentError(`${rpcOnly.map(flag).join(', ')} ${rpcOnly.length === 1 ? 'applies' : 'apply'} to --rpc only: files are indexed whole`);
  }
  if (opts.logs === undefined || opts.blocks === undefined) {
    throw new InvalidArgumentError('give either --logs <file> and --blocks <file> (NDJSON), or --rpc <url> (an Ethereum JSON-RPC node)');
  }
  return null;
}

/** `svr index --rpc`: indexes until --to, the head, or SIGINT/SIGTERM (with --follow), flushing the store on the way out. */
async function indexFromRpc(
  opts: IndexCommandOptions,
  rpc: RpcIndexArgs,
  run: { manifestPath: string; name: string; progress: ReturnType<typeof progressPrinter> | null },
): Promise<void> {
  const stop = new AbortController();
  const onSignal = (signal: string) => {
    if (stop.signal.aborted) return;
    process.stderr.write(`\nsvr: ${signal}: stopping after the current block ...\n`);
    stop.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const summary = await indexRpc({
      manifestPath: run.manifestPath,
      subgraph: run.name,
      dataDir: resolve(opts.data),
      rpcUrl: rpc.url,
      from: rpc.from,
      to: rpc.to,
      follow: opts.follow,
      finalityDepth: rpc.finalityDepth,
      client: { callsPerSecond: rpc.callsPerSecond, timeoutMs: rpc.timeoutMs },
      signal: stop.signal,
      onProgress: run.progress ? (p) => run.progress!.update(p) : undefined,
      onLog: (level, message, ds) => {
        if (level !== 'debug') process.stderr.write(`${level.toUpperCase()} [${ds}] ${message}\n`);
      },
      onEvent: (e) => {
        if (e.kind === 'reorg') {
          process.stderr.write(
            `\nsvr: reorg: block ${e.oldHead} is no longer on the chain; rolled back ${e.depth} block(s) to ${e.commonAncestor}` +
              (e.beyondFinality ? ' (deeper than the finality depth: consider raising --finality-depth)' : '') +
              '\n',
          );
        } else if (e.kind === 'retry' && e.attempt >= 3) {
          process.stderr.write(`\nsvr: ${e.message}; retry ${e.attempt} in ${e.waitMs} ms\n`);
        } else if (e.kind === 'caught-up' && !opts.quiet) {
          process.stderr.write(`\nsvr: caught up with the head (block ${e.head}); following it\n`);
        }
      },
    });
    run.progress?.done();
    const perThousand = summary.blocksIndexed > 0 ? ` (${summary.rpc.calls} JSON-RPC calls in ${summary.rpc.httpRequests} requests)` : '';
    console.log(
      `${summary.subgraph}/${summary.network}: indexed ${summary.blocksIndexed} blocks with triggers or checked, ${summary.logsRead} logs, ` +
        `${summary.triggers} handlers run, ${summary.entityChanges} entity changes, ${summary.contractCalls} contract reads, ${summary.reorgs} reorg(s) ` +
        `in ${summary.seconds.toFixed(2)} s${perThousand}; head is block ${summary.head ?? 'none'}` +
        `${summary.stopped ? ' (stopped)' : ''}. Store: ${resolve(opts.data, summary.subgraph, summary.network + '.sqlite')}`,
    );
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/** What `svr --version` prints: svr's own version and the toolchain that compiles and runs mappings, for bug reports. */
function versionLine(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `svr ${pkg.version} (graph-cli ${graphCliVersion()}, Node ${process.version})`;
}

export function program(): Command {
  const cli = new Command('svr')
    .description('svr: solvency data for decentralized derivatives. Runs graph-cli-compiled subgraph mappings embedded, with graph-node semantics.')
    .version(versionLine(), '-V, --version', 'print the versions of svr, graph-cli and Node')
    .showHelpAfterError();

  cli
    .command('build')
    .description(
      'Compile every subgraph under subgraph/ with graph-cli (codegen and build), once per subgraph, and write its build for each network in ' +
        'subgraph/networks.json (the same WASM, the manifest graph-cli\'s --network writes); nothing is rebuilt when the sources did not change',
    )
    .option('--subgraph <name>', 'only this subgraph')
    .option('--network <network>', 'only this network')
    .action((opts: { subgraph?: string; network?: string }) => {
      const subgraphs = listSubgraphs().filter((s) => !opts.subgraph || s.name === opts.subgraph);
      if (subgraphs.length === 0) {
        console.log('No subgraphs under subgraph/ yet: nothing to build.');
        return;
      }
      for (const s of subgraphs) {
        for (const network of s.networks.filter((n) => !opts.network || n === opts.network)) {
          const manifest = buildSubgraph({ subgraphDir: s.dir, network, sourceRoot: SUBGRAPHS });
          console.log(`built ${s.name} for ${network}: ${manifest}`);
        }
      }
    });

  cli
    .command('index')
    .description(
      'Index a subgraph from NDJSON files (--logs and --blocks: eth_getLogs results, one log object a line, and block headers ' +
        '{number, hash, parentHash, timestamp} in JSON-RPC hex), or from an Ethereum JSON-RPC node (--rpc), historically or following the head ' +
        'through reorgs (--follow). Re-running resumes after the last indexed block.',
    )
    .requiredOption('--subgraph <name>', 'a folder under subgraph/, or a path to a folder with a subgraph.yaml')
    .requiredOption('--network <network>', "graph-cli's network name, e.g. arbitrum-one")
    .option('--logs <file>', 'NDJSON file of logs (with --blocks)')
    .option('--blocks <file>', 'NDJSON file of block headers, one for every block to index (with --logs)')
    .option('--calls <file>', 'NDJSON of recorded eth_call / eth_getBalance / eth_getCode requests with their results, for mappings that read contracts')
    .option('--rpc <url>', "an Ethereum JSON-RPC node's HTTP endpoint to index from, instead of --logs/--blocks")
    .option('--from <block>', 'with --rpc: first block, when the store is empty (default: the manifest\'s start block)')
    .option('--to <block>', 'with --rpc: last block (default: the head when the run starts)')
    .option('--follow', 'with --rpc: keep indexing new blocks as the chain grows, rolling back reorgs, until SIGINT/SIGTERM')
    .option('--finality-depth <blocks>', 'with --rpc: blocks below the head that can still be reorganized (default per network, see docs/ingest.md)')
    .option('--rpc-rate <calls/s>', 'with --rpc: JSON-RPC calls per second at most, 0 for no limit', '100')
    .option('--rpc-timeout <ms>', 'with --rpc: milliseconds before a request is retried', '30000')
    .option('--data <dir>', 'data directory for the store', 'data')
    .option('--source-root <dir>', "for a subgraph outside subgraph/: the folder its sources import from, when that is above the subgraph's own folder (default: the subgraph's folder)")
    .option(
      '--unlinked-blocks',
      'accept block headers with "parentHash": null (no header was recorded, e.g. blocks known only from receipts): each is indexed with its parent unknown, ' +
        'its link to the block before is not checked, and the store keeps no parent hash for it (nothing is made up); the summary counts them',
    )
    .option('--quiet', 'no progress output')
    .action(async (opts: IndexCommandOptions) => {
      const rpc = checkIndexSource(opts);
      const dir = resolveSubgraphDir(opts.subgraph);
      const ours = dir.startsWith(SUBGRAPHS + sep);
      const name = ours ? dir.slice(SUBGRAPHS.length + 1) : basename(dir);
      // Someone else's subgraph is built from its own folder (or the --source-root its imports reach into), never from its parent.
      const sourceRoot = opts.sourceRoot ? resolve(opts.sourceRoot) : ours ? SUBGRAPHS : dir;
      if (dir !== sourceRoot && !dir.startsWith(sourceRoot + sep)) {
        throw new InvalidArgumentError(`--source-root ${sourceRoot} must contain the subgraph's folder ${dir}`);
      }
      const manifestPath = buildSubgraph({ subgraphDir: dir, network: opts.network, sourceRoot });
      const progress = opts.quiet ? null : progressPrinter(`${name}/${opts.network}`);
      if (rpc) {
        await indexFromRpc(opts, rpc, { manifestPath, name, progress });
        return;
      }
      const summary = await indexFiles({
        manifestPath,
        subgraph: name,
        dataDir: resolve(opts.data),
        logsPath: resolve(opts.logs!),
        blocksPath: resolve(opts.blocks!),
        callsPath: opts.calls ? resolve(opts.calls) : undefined,
        unlinkedBlocks: opts.unlinkedBlocks ?? false,
        onProgress: progress ? (p) => progress.update(p) : undefined,
        onLog: (level, message, ds) => {
          if (level !== 'debug') process.stderr.write(`${level.toUpperCase()} [${ds}] ${message}\n`);
        },
      });
      progress?.done();
      console.log(
        `${summary.subgraph}/${summary.network}: indexed ${summary.blocksIndexed} blocks` +
          (summary.blocksSkipped ? ` (${summary.blocksSkipped} already indexed, skipped)` : '') +
          (summary.unlinkedBlocks ? ` (${summary.unlinkedBlocks} with their parent unknown: not linked)` : '') +
          `, ${summary.logsRead} logs read, ${summary.triggers} handlers run, ${summary.entityChanges} entity changes ` +
          `in ${summary.seconds.toFixed(2)} s; head is block ${summary.head ?? 'none'}. Store: ${resolve(opts.data, summary.subgraph, summary.network + '.sqlite')}`,
      );
    });

  cli
    .command('demo')
    .description(
      'Write a SYNTHETIC demo chain: a seeded, deterministic market simulation (correlated price paths with a crash, ' +
        'liquidity providers, leveraged traders, liquidations by the protocol\'s own rule) as the logs the real contracts emit ' +
        '(ABI-encoded, at the real addresses) and block headers, in the NDJSON form `svr index` reads: ' +
        '<out>/<subgraph>/<network>.logs.ndjson and .blocks.ndjson. Prices, accounts, hashes and block numbers are made up. ' +
        `Models: ${DEMO_PROTOCOLS.map((p) => `${p.subgraph} (${p.networks.join(', ')})`).join('; ')}.`,
    )
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'PRNG seed: the same seed writes the same bytes', '1')
    .option('--days <d>', 'simulated days', '3')
    .option('--scale <k>', 'activity multiplier: traders, trades per day and pool sizes', '1')
    .option('--subgraph <name>', 'only this subgraph')
    .option('--network <network>', 'only this network')
    .action((opts: { out: string; seed: string; days: string; scale: string; subgraph?: string; network?: string }) => {
      const number = (flag: string, text: string) => {
        const n = Number(text);
        if (!Number.isFinite(n)) throw new InvalidArgumentError(`${flag} must be a number, not "${text}"`);
        return n;
      };
      const started = Date.now();
      const results = runDemo({
        out: resolve(opts.out),
        seed: number('--seed', opts.seed),
        days: number('--days', opts.days),
        scale: number('--scale', opts.scale),
        subgraphs: opts.subgraph ? [opts.subgraph] : undefined,
        networks: opts.network ? [opts.network] : undefined,
      });
      if (results.length === 0) throw new InvalidArgumentError('the demo models no such subgraph and network');
      console.log('svr demo: SYNTHETIC data (a simulation, not chain history).');
      for (const r of results) {
        const stats = Object.entries(r.stats).map(([k, v]) => `${k} ${v}`).join(', ');
        console.log(`  ${r.subgraph}/${r.network}: ${r.logs} logs, ${r.blocks} blocks (${r.firstBlock}-${r.lastBlock}); ${stats}`);
        console.log(`    npx svr index --subgraph ${r.subgraph} --network ${r.network} --logs ${r.logsPath} --blocks ${r.blocksPath}`);
      }
      console.log(`  in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });

  cli
    .command('serve')
    .description(
      'Serve, on one port, the gateway at /graphql (ratios, buffers, history, exposure across protocols and networks) and ' +
        "graph-node's GraphQL query API for every deployment indexed in a data directory, at /subgraphs/name/<subgraph>/<network>. " +
        'The gateway reads those deployments unless the config file lists other sources.',
    )
    .option('--data <dir>', 'data directory with the stores (<data>/<subgraph>/<network>.sqlite)', 'data')
    .option('--port <port>', 'port to listen on (or PORT)', process.env.PORT ?? '4000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'gateway config file (or SVR_CONFIG; default ./svr.config.json when present)')
    .option('--federation', 'serve the gateway schema as an Apollo Federation subgraph (entity keys on Protocol, Token, Account)')
    .action(async (opts: { data: string; port: string; host: string; config?: string; federation?: boolean }) => {
      await serveData(resolve(opts.data), opts);
    });

  cli
    .command('start')
    .description(
      'Run everything on one port. With `follow` in the config file: index each listed deployment from its chain\'s JSON-RPC node up to the head and follow it ' +
        '(one process per deployment, restarted with back-off when it crashes), while serving the gateway at /graphql and graph-node\'s query API for each deployment. ' +
        'Without it: the live demo, the synthetic demo market mined block by block on local Hardhat nodes and followed over JSON-RPC the same way (docs/live.md); ' +
        '--no-live: the static demo, indexed once from files. `npm start` builds first.',
    )
    .option('--data <dir>', 'data directory with the stores (the live demo keeps its own under <data>/live)', 'data')
    .option('--port <port>', 'port to listen on (or PORT)', process.env.PORT ?? '4000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--config <file>', 'config file (or SVR_CONFIG; default ./svr.config.json when present)')
    .option('--federation', 'serve the gateway schema as an Apollo Federation subgraph')
    .option('--no-demo', 'serve only what is already indexed (and followed); no demo')
    .option('--no-live', 'the static demo: the demo chain indexed once from files, no nodes and no followers')
    .option('--live-speed <seconds>', 'the live demo\'s wall seconds per demo minute', String(DEFAULT_SECONDS_PER_MINUTE))
    .option('--live-lead <minutes>', 'the live demo\'s demo minutes between going live and the crash', String(DEFAULT_LEAD_MINUTES))
    .action(
      async (opts: { data: string; port: string; host: string; demo: boolean; live: boolean; liveSpeed: string; liveLead: string; config?: string; federation?: boolean }) => {
        const dataDir = resolve(opts.data);
        const config = loadConfig({ file: opts.config }); // a bad config fails before minutes of indexing
        const followerOptions = { subgraphDir: resolveSubgraphDir, sourceRoot: SUBGRAPHS };
        if (config.live && config.live.follow.length > 0) {
          const supervisor = await startFollowers(config.live, dataDir, followerOptions);
          await serveData(dataDir, opts, { supervisor, stop: () => supervisor.stop() }, config);
          return;
        }
        const subgraphs = new Map(listSubgraphs().map((s) => [s.name, s.dir]));
        if (opts.demo && opts.live) {
          const secondsPerMinute = Number(opts.liveSpeed);
          const leadMinutes = Number(opts.liveLead);
          if (!(secondsPerMinute > 0)) throw new InvalidArgumentError(`--live-speed must be a positive number of seconds, not "${opts.liveSpeed}"`);
          if (!Number.isInteger(leadMinutes) || leadMinutes < 1) throw new InvalidArgumentError(`--live-lead must be a whole number of minutes, at least 1, not "${opts.liveLead}"`);
          const liveDir = join(dataDir, 'live');
          console.log('svr: starting the live demo: local JSON-RPC nodes mining the SYNTHETIC demo market, followed over JSON-RPC (--no-live for the static demo)');
          const live = await startLiveDemo(liveDir, { subgraphs, sourceRoot: SUBGRAPHS, secondsPerMinute, leadMinutes }, followerOptions);
          const alerting = withDemoAlerts(config);
          if (alerting !== config) console.log(`  alerts: the demo's rules (${alerting.alerts.rules.map((r) => r.id).join(', ')}); a config file's alerts.rules replace them`);
          try {
            await serveData(liveDir, opts, { supervisor: live.followers, stop: () => live.stop() }, alerting);
          } catch (e) {
            await live.stop();
            throw e;
          }
          console.log('svr: starting the live demo\'s nodes and followers behind the server (each deployment reports health "starting" until its follower runs) ...');
          live.afterServing().then(
            async (started) => {
              if (!started) return;
              const { demo } = started;
              for (const n of demo.networks) console.log(`  node ${n.network}: ${n.node.url} (chain id ${await n.node.rpc<string>('eth_chainId').then(Number)})`);
              const status = demo.status;
              console.log(
                `  live: demo minute ${status.nextMinute} of ${status.nextMinute - status.minutesMined + status.minutesTotal}, one block per network every ${secondsPerMinute} s; ` +
                  `the crash starts at demo minute ${status.crashMinute}, in about ${Math.max(0, Math.round((status.crashMinute - status.nextMinute) * secondsPerMinute))} s`,
              );
            },
            (e: Error) => {
              process.stderr.write(`svr: the live demo could not start: ${e.message}\n`);
              live.stop().finally(() => process.exit(1));
            },
          );
          return;
        }
        if (opts.demo) {
          const report = await indexDemo(dataDir, { subgraphs, sourceRoot: SUBGRAPHS });
          if (report.indexed.length > 0) console.log(`  ${report.builds} subgraph build(s), ${report.graphCliRuns} graph-cli run(s); ${report.upToDate.length} deployment(s) already indexed`);
        }
        await serveData(dataDir, opts, undefined, config);
      },
    );

  cli
    .command('replay')
    .description(
      'Recompute an answer (ratio, aggregate, history point, stress test, VaR, liquidation curve, contagion, distance to insolvency, forecast) from its provenance record ' +
        '(provenance.record, or a whole answer holding one), or from its digest alone for an answer that gateway served, on a running svr gateway, ' +
        'at the same blocks with the same methodology version, and print it; fails, with the reason, when it cannot be the same answer.',
    )
    .argument('[record]', 'a file with the record (or an answer with a provenance field), or - for standard input; leave it out with --digest')
    .option('--url <url>', 'the gateway to replay on', 'http://127.0.0.1:4000/graphql')
    .option('--digest <digest>', 'with a record: refuse unless it is the one this digest names; alone: the record the gateway served under this digest')
    .action(async (file: string | undefined, opts: { url: string; digest?: string }) => {
      const ask = async (query: string, variables: Record<string, unknown>) => {
        const res = await fetch(opts.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
        const body = (await res.json()) as { data?: Record<string, any> | null; errors?: Array<{ message: string; extensions?: { replayCode?: string; code?: string } }> };
        if (body.errors?.length) {
          const e = body.errors[0]!;
          throw new Error(`replay failed (${e.extensions?.replayCode ?? e.extensions?.code ?? 'error'}): ${e.message}`);
        }
        return body.data!;
      };
      if (file === undefined && opts.digest === undefined) throw new Error('give a record file (or -), or --digest <digest> of an answer the gateway served');
      let record: string | null = null;
      let kind: unknown;
      if (file !== undefined) {
        record = recordIn(readFileSync(file === '-' ? 0 : file, 'utf8'));
        kind = (JSON.parse(record) as { query?: unknown }).query;
      } else {
        const found = (await ask('query($digest: String!) { provenanceRecord(digest: $digest) { query } }', { digest: opts.digest })).provenanceRecord as { query: string } | null;
        if (!found) throw new Error(`replay failed (REPLAY_RECORD_UNKNOWN): the gateway keeps no record with digest ${opts.digest}; pass the record file`);
        kind = found.query;
      }
      // The record says which answer it is; the gateway checks the rest.
      const replay = typeof kind === 'string' ? REPLAY_KINDS[kind] : undefined;
      if (!replay) throw new Error(`replay failed (REPLAY_UNSUPPORTED_QUERY): a ${String(kind)} answer cannot be replayed; replay covers ${Object.keys(REPLAY_KINDS).join(', ')}`);
      const data = await ask(`query($record: String, $digest: String) { ${replay.field}(record: $record, digest: $digest) { ${replay.selection} } }`, { record, digest: opts.digest });
      console.log(JSON.stringify(data[replay.field], null, 2));
    });

  return cli;
}

/** The canonical record in a file: the record itself, or found under a `provenance` field of an answer. */
function recordIn(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the record is not JSON: save provenance.record (or the whole answer) as svr returned it');
  }
  const find = (v: unknown): string | null => {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    // A provenance field (its record, as served) before a bare record: the field also has methodologyVersion and reads.
    if (typeof o.record === 'string' && typeof o.digest === 'string') return o.record;
    if ('methodologyVersion' in o && 'reads' in o) return JSON.stringify(o);
    for (const child of Object.values(o)) {
      const found = find(child);
      if (found) return found;
    }
    return null;
  };
  const record = find(value);
  if (!record) throw new Error('no provenance record in the file: it needs provenance { record } of an answer');
  return record;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await program().parseAsync(argv);
  } catch (e) {
    const err = e as Error & { code?: string };
    process.stderr.write(`svr: ${err.message}\n`);
    process.exitCode = 1;
  }
}
