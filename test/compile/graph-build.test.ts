/**
 * graph-cli runs once per subgraph, not once per network, and not at all when
 * nothing changed; every network's build is what graph-cli's own
 * `graph build --network` writes, byte for byte. Counted by buildStats (the
 * graph-cli processes started), never by time.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { buildStats, buildSubgraph } from '../../server/compile/graph-build';
import { deploymentHash } from '../../server/indexer/deployment';

const ROOT = resolve(__dirname, '../..');
const FIXTURE = join(ROOT, 'test/fixtures/subgraphs/someone-else');

function files(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path));
    }
  };
  walk(dir);
  return out;
}

const NETWORKS = {
  mainnet: { Token: { address: '0x00000000000000000000000000000000000070c3', startBlock: 100 } },
  'arbitrum-one': { Token: { address: '0x00000000000000000000000000000000000a4b1c', startBlock: 7 } },
};

let work: string;
let source: string;
/** Build caches live inside the project: graph-cli looks for node_modules above the copy it builds. */
let caches: string;
const runs = () => buildStats.graphCliRuns;
const build = (network: string, cacheDir: string) => buildSubgraph({ subgraphDir: source, sourceRoot: source, network, cacheDir });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'svr-graph-build-'));
  source = join(work, 'someone-else');
  cpSync(FIXTURE, source, { recursive: true, filter: (p) => !/[\\/](build|generated|node_modules)$/.test(p) });
  writeFileSync(join(source, 'networks.json'), JSON.stringify(NETWORKS, null, 2));
  mkdirSync(join(ROOT, '.svr-cache'), { recursive: true });
  caches = mkdtempSync(join(ROOT, '.svr-cache', 'test-graph-build-'));
});

afterAll(() => {
  rmSync(caches, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test('one graph-cli build serves every network, byte for byte what graph-cli builds for that network', () => {
  const shared = join(caches, 'shared');
  const before = runs();
  const mainnet = build('mainnet', shared);
  expect(runs() - before).toBe(2); // codegen, build

  const again = runs();
  expect(build('mainnet', shared)).toBe(mainnet);
  const arbitrum = build('arbitrum-one', shared);
  expect(runs() - again).toBe(0);
  expect(dirname(arbitrum)).not.toBe(dirname(mainnet));
  expect(readFileSync(arbitrum, 'utf8')).toContain('network: arbitrum-one');
  expect(readFileSync(arbitrum, 'utf8')).toContain('startBlock: 7');

  // graph-cli's own build for arbitrum-one, in a cache of its own.
  const own = build('arbitrum-one', join(caches, 'own'));
  const ownFiles = files(dirname(own));
  const derivedFiles = files(dirname(arbitrum));
  expect([...derivedFiles.keys()]).toEqual([...ownFiles.keys()]);
  expect([...derivedFiles.keys()].some((f) => f.endsWith('.wasm'))).toBe(true);
  for (const [name, bytes] of ownFiles) expect({ name, same: derivedFiles.get(name)!.equals(bytes) }).toEqual({ name, same: true });
  expect(deploymentHash(dirname(arbitrum))).toBe(deploymentHash(dirname(own)));
});

test('networks.json edits rewrite the manifest without graph-cli; source edits rebuild', () => {
  const cache = join(caches, 'edits');
  build('mainnet', cache);
  const before = runs();
  writeFileSync(join(source, 'networks.json'), JSON.stringify({ ...NETWORKS, mainnet: { Token: { ...NETWORKS.mainnet.Token, startBlock: 123 } } }));
  const moved = build('mainnet', cache);
  expect(runs() - before).toBe(0);
  expect(readFileSync(moved, 'utf8')).toContain('startBlock: 123');

  const mapping = join(source, 'src', 'mapping.ts');
  writeFileSync(mapping, readFileSync(mapping, 'utf8') + '\n// an edit\n');
  build('mainnet', cache);
  expect(runs() - before).toBe(2);
});

test('a network networks.json lacks is refused before graph-cli runs, naming the ones it has', () => {
  const before = runs();
  expect(() => build('gnosis', join(caches, 'refused'))).toThrow(/network 'gnosis' is not in .*networks\.json.*mainnet, arbitrum-one/);
  expect(runs() - before).toBe(0);
});
