/**
 * Builds a subgraph with graph-cli (`graph codegen` then `graph build`),
 * exactly as a user would before `graph deploy`, once per subgraph rather than
 * once per network.
 *
 * `graph build --network` only rewrites the manifest's network, addresses and
 * start blocks from networks.json before compiling; the mappings compile to the
 * same WASM whatever the network (checked byte for byte across every network
 * of subgraph/ and by test/compile/graph-build.test.ts). So graph-cli compiles
 * a subgraph once, and each network gets a build folder of its own: the
 * compiled files hard-linked, and the manifest rewritten the way graph-cli's
 * `--network` rewrites it, written the way its compiler writes it. Every byte
 * is what `graph build --network` would have written, so the deployment hash
 * (server/indexer/deployment.ts) and the stores indexed with it do not change.
 *
 * The sources are copied into a cache folder keyed by a hash of their content
 * (sources, manifest, schema, ABIs; not networks.json) and graph-cli's version,
 * because codegen writes generated/ beside them; a build whose inputs did not
 * change is reused and graph-cli does not run.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { threadId } from 'node:worker_threads';
import { parse as parseYaml, stringify as stringifyYaml, Scalar } from 'yaml';
import { PROJECT_ROOT } from '../paths';
import { checkSourceManifest } from '../runtime/manifest';

export class BuildError extends Error {
  readonly code = 'SUBGRAPH_BUILD_FAILED';
}

const SKIP = new Set(['node_modules', 'build', 'generated', '.svr-cache']);

/** Counts for tests: graph-cli processes run by this process (codegen and build each count one). */
export const buildStats = { graphCliRuns: 0 };

function hashTree(root: string, hash: ReturnType<typeof createHash>, leaveOut: string | null): void {
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.has(name)) continue;
      const path = join(dir, name);
      if (path === leaveOut) continue;
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(root, path) + '\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(root);
}

export function graphCliBin(): string {
  const pkg = require.resolve('@graphprotocol/graph-cli/package.json');
  return join(dirname(pkg), 'bin', 'run.js');
}

export function graphCliVersion(): string {
  return JSON.parse(readFileSync(require.resolve('@graphprotocol/graph-cli/package.json'), 'utf8')).version;
}

export interface BuildOptions {
  /** The subgraph's folder (holding subgraph.yaml). */
  subgraphDir: string;
  network: string;
  /** A folder whose whole tree the subgraph may import from (shared helpers, a common schema); defaults to the subgraph's parent. */
  sourceRoot?: string;
  /** networks.json for `graph build --network`; defaults to `<subgraphDir>/networks.json` if present, else `<sourceRoot>/networks.json` if present. */
  networkFile?: string;
  cacheDir?: string;
}

type NetworksFile = Record<string, Record<string, Record<string, unknown>>>;

function networkEntry(networks: NetworksFile, network: string, networkFile: string): Record<string, Record<string, unknown>> {
  const config = networks[network];
  if (!config) throw new BuildError(`network '${network}' is not in ${networkFile}: add it there (its data sources' address and startBlock), or build for one of ${Object.keys(networks).join(', ')}`);
  return config;
}

/**
 * The built manifest for `network`: what graph-cli's `updateSubgraphNetwork`
 * does to the source manifest (every data source's network, its source reset
 * to its ABI plus the network's entry, every template's network), written as
 * graph-cli's `Subgraph.dump` writes build/subgraph.yaml.
 */
export function manifestForNetwork(builtManifest: string, network: string, networks: NetworksFile, networkFile: string): string {
  const config = networkEntry(networks, network, networkFile);
  const manifest = parseYaml(builtManifest) as { dataSources: Array<Record<string, any>>; templates?: Array<Record<string, any>> };
  manifest.dataSources = manifest.dataSources.map((source) => {
    const entry = config[source.name];
    if (!entry) throw new BuildError(`data source '${source.name}' is not in the '${network}' entry of ${networkFile}: add its address and startBlock there`);
    const changed = source.network !== network || Object.entries(entry).some(([k, v]) => source.source?.[k] !== v);
    if (!changed) return source;
    source.network = network;
    source.source = source.source?.abi ? { abi: source.source.abi } : {};
    Object.assign(source.source, entry);
    return source;
  });
  if (manifest.templates) manifest.templates = manifest.templates.map((template) => ({ ...template, network }));
  return stringifyYaml(manifest, { defaultKeyType: Scalar.PLAIN, lineWidth: 90 });
}

/** A fresh folder name beside `target`, unique to this process and thread (builds run in worker threads too). */
function scratch(target: string): string {
  return `${target}.tmp-${process.pid}-${threadId}`;
}

/** Moves a finished folder into place; another process that got there first wins, and its copy is kept. */
function publish(tmp: string, target: string): void {
  try {
    renameSync(tmp, target);
  } catch (e) {
    if (!existsSync(target)) throw e;
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Hard-links (or copies, where links fail) every file of `from` into `to` but those named in `except`. */
function linkTree(from: string, to: string, except: ReadonlySet<string>): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target, new Set());
    else if (!except.has(entry.name)) {
      try {
        linkSync(source, target);
      } catch {
        cpSync(source, target);
      }
    }
  }
}

/** Returns the path of the built `subgraph.yaml` for `options.network`. */
export function buildSubgraph(options: BuildOptions): string {
  const subgraphDir = resolve(options.subgraphDir);
  const sourceRoot = resolve(options.sourceRoot ?? dirname(subgraphDir));
  const cacheDir = resolve(options.cacheDir ?? join(PROJECT_ROOT, '.svr-cache', 'builds'));
  if (!existsSync(join(subgraphDir, 'subgraph.yaml'))) {
    throw new BuildError(`${subgraphDir} has no subgraph.yaml`);
  }
  checkSourceManifest(join(subgraphDir, 'subgraph.yaml'));
  const networkFile = options.networkFile
    ? resolve(options.networkFile)
    : [join(subgraphDir, 'networks.json'), join(sourceRoot, 'networks.json')].find((p) => existsSync(p));
  const networks = networkFile ? (JSON.parse(readFileSync(networkFile, 'utf8')) as NetworksFile) : null;
  if (networkFile) networkEntry(networks!, options.network, networkFile); // before minutes of compiling

  // networks.json is left out of the key: it changes the manifest only, which is rewritten per network below.
  const hash = createHash('sha256').update(graphCliVersion()).update('\0').update(relative(sourceRoot, subgraphDir));
  hashTree(sourceRoot, hash, networkFile ?? null);
  const key = `${basename(subgraphDir)}-${hash.digest('hex').slice(0, 16)}`;
  const compiled = join(cacheDir, key);
  const compiledBuild = join(compiled, relative(sourceRoot, subgraphDir), 'build');
  if (!existsSync(join(compiledBuild, 'subgraph.yaml'))) compile({ subgraphDir, sourceRoot, network: options.network, networkFile, target: compiled });
  if (!networkFile) return join(compiledBuild, 'subgraph.yaml');

  const manifest = manifestForNetwork(readFileSync(join(compiledBuild, 'subgraph.yaml'), 'utf8'), options.network, networks!, networkFile);
  const forNetwork = join(cacheDir, `${key}@${options.network}-${createHash('sha256').update(manifest).digest('hex').slice(0, 8)}`);
  if (!existsSync(join(forNetwork, 'subgraph.yaml'))) {
    const tmp = scratch(forNetwork);
    rmSync(tmp, { recursive: true, force: true });
    linkTree(compiledBuild, tmp, new Set(['subgraph.yaml']));
    writeFileSync(join(tmp, 'subgraph.yaml'), manifest);
    publish(tmp, forNetwork);
  }
  return join(forNetwork, 'subgraph.yaml');
}

/** Runs graph-cli's codegen and build on a copy of the sources, published at `target` once it succeeded. */
function compile(options: { subgraphDir: string; sourceRoot: string; network: string; networkFile: string | undefined; target: string }): void {
  const { subgraphDir, sourceRoot, network, networkFile, target } = options;
  const tmpRoot = scratch(target);
  rmSync(tmpRoot, { recursive: true, force: true });
  mkdirSync(dirname(tmpRoot), { recursive: true });
  cpSync(sourceRoot, tmpRoot, { recursive: true, filter: (src) => !SKIP.has(basename(src)) });
  const tmpDir = join(tmpRoot, relative(sourceRoot, subgraphDir));
  const bin = graphCliBin();
  const run = (args: string[]) => {
    // graph-cli and its AssemblyScript compiler colour their output even into a pipe unless FORCE_COLOR=0;
    // the output ends up in BuildError's message, which is printed as it is.
    const colour = process.stderr.isTTY ? {} : { NO_COLOR: '1', FORCE_COLOR: '0' };
    buildStats.graphCliRuns++;
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmpDir, encoding: 'utf8', env: { ...process.env, ...colour } });
    if (r.status !== 0) {
      rmSync(tmpRoot, { recursive: true, force: true });
      throw new BuildError(`graph ${args.join(' ')} failed in ${subgraphDir}:\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim());
    }
  };
  run(['codegen', '--skip-migrations']);
  const buildArgs = ['build', '--skip-migrations'];
  if (networkFile) buildArgs.push('--network', network, '--network-file', networkFile);
  run(buildArgs);
  if (networkFile) {
    // Every other network's manifest is rewritten from this one: only where the rewrite gives back graph-cli's own bytes.
    const built = readFileSync(join(tmpDir, 'build', 'subgraph.yaml'), 'utf8');
    const networks = JSON.parse(readFileSync(networkFile, 'utf8')) as NetworksFile;
    if (manifestForNetwork(built, network, networks, networkFile) !== built) {
      rmSync(tmpRoot, { recursive: true, force: true });
      throw new BuildError(
        `graph-cli ${graphCliVersion()} writes build/subgraph.yaml differently from the way svr rewrites it per network (server/compile/graph-build.ts): ` +
          'update manifestForNetwork to match this graph-cli version',
      );
    }
  }
  rmSync(target, { recursive: true, force: true });
  publish(tmpRoot, target);
}
