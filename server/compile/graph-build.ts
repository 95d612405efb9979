/**
 * Builds a subgraph with graph-cli (`graph codegen` then `graph build --network`),
 * exactly as a user would before `graph deploy`. The sources are copied into a
 * cache folder keyed by their content, because `graph build --network` rewrites
 * subgraph.yaml in place and codegen writes generated/ beside it; a build whose
 * inputs did not change is reused.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { PROJECT_ROOT } from '../paths';
import { checkSourceManifest } from '../runtime/manifest';

export class BuildError extends Error {
  readonly code = 'SUBGRAPH_BUILD_FAILED';
}

const SKIP = new Set(['node_modules', 'build', 'generated', '.svr-cache']);

function hashTree(root: string, hash: ReturnType<typeof createHash>): void {
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      if (SKIP.has(name)) continue;
      const path = join(dir, name);
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

/** Returns the path of the built `subgraph.yaml`. */
export function buildSubgraph(options: BuildOptions): string {
  const subgraphDir = resolve(options.subgraphDir);
  const sourceRoot = resolve(options.sourceRoot ?? dirname(subgraphDir));
  const cacheDir = resolve(options.cacheDir ?? join(PROJECT_ROOT, '.svr-cache', 'builds'));
  if (!existsSync(join(subgraphDir, 'subgraph.yaml'))) {
    throw new BuildError(`${subgraphDir} has no subgraph.yaml`);
  }
  checkSourceManifest(join(subgraphDir, 'subgraph.yaml'));
  const hash = createHash('sha256').update(graphCliVersion()).update(options.network).update(relative(sourceRoot, subgraphDir));
  hashTree(sourceRoot, hash);
  const key = `${basename(subgraphDir)}-${options.network}-${hash.digest('hex').slice(0, 16)}`;
  const workRoot = join(cacheDir, key);
  const workDir = join(workRoot, relative(sourceRoot, subgraphDir));
  const manifest = join(workDir, 'build', 'subgraph.yaml');
  if (existsSync(manifest)) return manifest;

  const tmpRoot = `${workRoot}.tmp-${process.pid}`;
  rmSync(tmpRoot, { recursive: true, force: true });
  mkdirSync(dirname(tmpRoot), { recursive: true });
  cpSync(sourceRoot, tmpRoot, { recursive: true, filter: (src) => !SKIP.has(basename(src)) });
  const tmpDir = join(tmpRoot, relative(sourceRoot, subgraphDir));
  const networkFile =
    options.networkFile ??
    [join(subgraphDir, 'networks.json'), join(sourceRoot, 'networks.json')].find((p) => existsSync(p));
  const bin = graphCliBin();
  const run = (args: string[]) => {
    // graph-cli and its AssemblyScript compiler colour their output even into a pipe unless FORCE_COLOR=0;
    // the output ends up in BuildError's message, which is printed as it is.
    const colour = process.stderr.isTTY ? {} : { NO_COLOR: '1', FORCE_COLOR: '0' };
    const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmpDir, encoding: 'utf8', env: { ...process.env, ...colour } });
    if (r.status !== 0) {
      throw new BuildError(`graph ${args.join(' ')} failed in ${subgraphDir}:\n${(r.stdout ?? '') + (r.stderr ?? '')}`.trim());
    }
  };
  run(['codegen', '--skip-migrations']);
  const buildArgs = ['build', '--skip-migrations'];
  if (networkFile) buildArgs.push('--network', options.network, '--network-file', resolve(networkFile));
  run(buildArgs);
  rmSync(workRoot, { recursive: true, force: true });
  renameSync(tmpRoot, workRoot);
  return manifest;
}
