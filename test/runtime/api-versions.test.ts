/**
 * Mappings at apiVersion 0.0.5 and 0.0.6 (Aave's official v3 subgraph is at
 * 0.0.6) run with graph-node's semantics for their version
 * (chain/ethereum/src/trigger.rs, graph/src/data/subgraph/api_version.rs):
 * 0.0.6 has Transaction.nonce and Block.baseFeePerGas, neither has the
 * receipt, and below 0.0.8 fields the schema does not define are dropped.
 * Manifest checks run before graph-cli's build, so a manifest svr cannot run
 * fails at once.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, keccak256, toHex } from 'viem';
import { BuildError, buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, IndexingFailedError } from '../../server/indexer/deployment';
import type { BlockWithLogs, Transaction } from '../../server/ingest/types';
import { RuntimeError } from '../../server/runtime/errors';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'api-0.0.6');
const abi = [
  { type: 'event', name: 'Ping', inputs: [{ name: 'n', type: 'uint256', indexed: true }] },
  { type: 'event', name: 'AskBalance', inputs: [{ name: 'who', type: 'address', indexed: false }] },
] as const;

function block(n: number): BlockWithLogs {
  const hash = keccak256(toHex(`b${n}`));
  const tx: Transaction = { hash: keccak256(toHex(`t${n}`)), index: 0n, nonce: BigInt(40 + n), input: '0xdeadbeef', from: '0x' + '11'.repeat(20) };
  return {
    header: { number: BigInt(n), hash, parentHash: keccak256(toHex(`b${n - 1}`)), timestamp: BigInt(1000 + n), baseFeePerGas: '0x' + (7 + n).toString(16) },
    logs: [
      {
        address: '0x00000000000000000000000000000000000000aa',
        topics: encodeEventTopics({ abi, eventName: 'Ping', args: { n: BigInt(n * 2) } }) as string[],
        data: '0x',
        blockNumber: BigInt(n),
        blockHash: hash,
        transactionHash: tx.hash,
        transactionIndex: 0,
        logIndex: 0,
        removed: false,
      },
    ],
    transactions: new Map([[tx.hash, tx]]),
  };
}

function index(manifestPath: string): Record<string, Record<string, unknown>> {
  const d = new Deployment({ manifestPath, subgraph: 'api-versions', dataDir: mkdtempSync(join(tmpdir(), 'svr-api-')) });
  for (let n = 10; n <= 11; n++) d.processBlock(block(n));
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of d.store.list('Seen')) {
    const row: Record<string, unknown> = {};
    for (const [k, v] of e) if (k !== 'id') row[k] = (v as { value: unknown }).value;
    out[(e.get('id') as { value: string }).value] = row;
  }
  d.close();
  return out;
}

/** A copy of the fixture with its manifest edited, in a fresh folder. */
function variant(edit: (manifest: string) => string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'svr-api-src-')), 'api');
  cpSync(FIXTURE, dir, { recursive: true });
  const path = join(dir, 'subgraph.yaml');
  writeFileSync(path, edit(readFileSync(path, 'utf8')));
  return dir;
}

test('apiVersion 0.0.6: nonce and baseFeePerGas reach the mapping, fields outside the schema are dropped', () => {
  const seen = index(buildSubgraph({ subgraphDir: FIXTURE, sourceRoot: FIXTURE, network: 'mainnet' }));
  expect(seen).toEqual({
    'ping-10-0': { kind: 'ping', block: 10n, n: 20n, nonce: 50n, inputLength: 4, baseFeePerGas: 17n },
    'ping-11-0': { kind: 'ping', block: 11n, n: 22n, nonce: 51n, inputLength: 4, baseFeePerGas: 18n },
    'block-10': { kind: 'block', block: 10n, baseFeePerGas: 17n },
    'block-11': { kind: 'block', block: 11n, baseFeePerGas: 18n },
  });
});

test('apiVersion 0.0.6: ethereum.getBalance fails the handler deterministically, as graph-node fails it before 0.0.9', () => {
  const d = new Deployment({ manifestPath: buildSubgraph({ subgraphDir: FIXTURE, sourceRoot: FIXTURE, network: 'mainnet' }), subgraph: 'api-versions', dataDir: mkdtempSync(join(tmpdir(), 'svr-api-')) });
  const b = block(10);
  b.logs = [
    {
      ...b.logs[0],
      topics: encodeEventTopics({ abi, eventName: 'AskBalance' }) as string[],
      data: encodeAbiParameters([{ type: 'address' }], ['0x' + '22'.repeat(20) as `0x${string}`]),
    },
  ];
  let error: unknown;
  try {
    d.processBlock(b);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(IndexingFailedError);
  expect((error as Error).message).toContain('ethereum.getBalance call is not supported before API version 0.0.9');
  d.close();
});

test('apiVersion 0.0.5: the shorter Block and Transaction', () => {
  const dir = variant((m) =>
    m.replace('apiVersion: 0.0.6', 'apiVersion: 0.0.5').replace('handler: handlePing', 'handler: handlePingAt005').replace('handler: handleBlock', 'handler: handleBlockAt005'),
  );
  const seen = index(buildSubgraph({ subgraphDir: dir, sourceRoot: dir, network: 'mainnet' }));
  expect(seen).toEqual({
    'ping-10-0': { kind: 'ping', block: 10n, n: 20n, inputLength: 4 },
    'ping-11-0': { kind: 'ping', block: 11n, n: 22n, inputLength: 4 },
    'block-10': { kind: 'block', block: 10n },
    'block-11': { kind: 'block', block: 11n },
  });
});

describe('manifest checks before graph-cli runs', () => {
  const refused = (edit: (m: string) => string): string => {
    const dir = variant(edit);
    const cacheDir = join(dir, '..', 'cache');
    let message = '';
    try {
      buildSubgraph({ subgraphDir: dir, sourceRoot: dir, network: 'mainnet', cacheDir });
    } catch (e) {
      expect(e).toBeInstanceOf(RuntimeError);
      message = (e as Error).message;
    }
    // Nothing was copied for graph-cli: the check ran first.
    expect(readdirSync(join(dir, '..'))).not.toContain('cache');
    return message;
  };

  test.each([
    ['an apiVersion before 0.0.5', (m: string) => m.replace('apiVersion: 0.0.6', 'apiVersion: 0.0.4'), /apiVersion 0\.0\.4; svr runs 0\.0\.5 to 0\.0\.9/],
    ['an apiVersion past graph-node\'s maximum', (m: string) => m.replace('apiVersion: 0.0.6', 'apiVersion: 0.0.10'), /maximum supported mapping API version of this indexer is 0\.0\.9, but `0\.0\.10` was found/],
    ['an event the ABI lacks', (m: string) => m.replace('Ping(indexed uint256)', 'Pong(uint256)'), /Event with the signature "Pong\(uint256\)" not found in contract "Noop"/],
    ['an ABI file that is not there', (m: string) => m.replace('./abis/Noop.json', './abis/Missing.json'), /ABI Noop has no file at/],
    ['call handlers', (m: string) => m.replace('      blockHandlers:', '      callHandlers:\n        - function: f()\n          handler: h\n      blockHandlers:'), /call handlers/],
    [
      'two apiVersions',
      (m: string) => m + m.slice(m.indexOf('  - kind:')).replace('name: Noop\n', 'name: Other\n').replace('apiVersion: 0.0.6', 'apiVersion: 0.0.7'),
      /Expected a single apiVersion for mappings\. Found: 0\.0\.6, 0\.0\.7\./,
    ],
  ])('%s', (_name, edit, expected) => {
    expect(refused(edit)).toMatch(expected);
  });
});

test("graph-cli's errors reach BuildError without terminal colour codes when stderr is not a terminal", () => {
  const dir = variant((m) => m);
  writeFileSync(join(dir, 'src', 'mapping.ts'), readFileSync(join(dir, 'src', 'mapping.ts'), 'utf8') + '\nexport function broken(): void { const x: i32 = "text"; }\n');
  let error: unknown;
  try {
    buildSubgraph({ subgraphDir: dir, sourceRoot: dir, network: 'mainnet' });
  } catch (e) {
    error = e;
  }
  expect(process.stderr.isTTY).toBeFalsy();
  expect(error).toBeInstanceOf(BuildError);
  expect((error as Error).message).toContain('mapping.ts');
  expect((error as Error).message).not.toMatch(/\u001b\[/);
});
