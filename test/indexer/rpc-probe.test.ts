/**
 * What a mapping sees when indexed from a node: full transaction fields,
 * receipts for `receipt: true` handlers, ethereum.call answered at the
 * handler's block (reverts as null), and data sources created from a template
 * picking up logs at their address in the very block that created them and in
 * later blocks of the same eth_getLogs range (test/fixtures/subgraphs/rpc-probe).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAbiParameters, keccak256, toHex } from 'viem';
import { startLocalNode, type EmittedLog, type LocalNode } from '../../bench/local-chain';
import { buildSubgraph } from '../../server/compile/graph-build';
import { storePath } from '../../server/indexer/deployment';
import { indexRpc } from '../../server/indexer/index-rpc';
import { PROJECT_ROOT } from '../../server/paths';
import { SqliteStore } from '../../server/store/sqlite-store';

const FIXTURE = join(PROJECT_ROOT, 'test', 'fixtures', 'subgraphs', 'rpc-probe');
const FACTORY = '0x00000000000000000000000000000000000f0001';
const CLOCK = '0x00000000000000000000000000000000000c1001';
const BROKEN = '0x00000000000000000000000000000000000bad01';
const CHILD1 = '0x00000000000000000000000000000000000c0001';
const CHILD2 = '0x00000000000000000000000000000000000c0002';
/** NUMBER PUSH1 0 MSTORE PUSH1 32 PUSH1 0 RETURN: returns block.number. */
const CLOCK_CODE = '0x4360005260206000f3';

const created = (child: string): EmittedLog => ({
  topics: [keccak256(toHex('Created(address)'))],
  data: encodeAbiParameters([{ type: 'address' }], [child as `0x${string}`]),
});
const ping = (n: number): EmittedLog => ({ topics: [keccak256(toHex('Ping(uint256)')), encodeAbiParameters([{ type: 'uint256' }], [BigInt(n)])], data: '0x' });

let node: LocalNode;
let manifestPath: string;
let sender: string;

beforeAll(async () => {
  manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'mainnet' });
  node = await startLocalNode();
  sender = (await node.accounts())[0].toLowerCase();
  for (const a of [FACTORY, CHILD1, CHILD2]) await node.installEmitter(a);
  await node.setCode(CLOCK, CLOCK_CODE);
  await node.setCode(BROKEN, '0xfe');
  await node.mine(2);
  // A ping at CHILD2 before any data source watches it: not indexed.
  await node.emit(CHILD2, [ping(100)]);
  // One block: the factory creates CHILD1, and CHILD1 pings in a later transaction of the same block.
  await node.setAutomine(false);
  await node.emit(FACTORY, [created(CHILD1)], { value: 5n });
  await node.emit(CHILD1, [ping(1)]);
  await node.mineBlock();
  await node.setAutomine(true);
  await node.mine(3);
  await node.emit(CHILD1, [ping(2), ping(3)]);
  // CHILD2 is created and pings in one transaction's logs order: Created first.
  await node.setAutomine(false);
  await node.emit(FACTORY, [created(CHILD2)]);
  await node.emit(CHILD2, [ping(4)]);
  await node.mineBlock();
  await node.setAutomine(true);
  await node.mine(2);
  await node.emit(CHILD2, [ping(5)]);
  await node.mine(2);
}, 240_000);

afterAll(async () => {
  await node?.stop();
});

async function index(finalityDepth: number): Promise<SqliteStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'svr-rpc-probe-'));
  const summary = await indexRpc({ manifestPath, subgraph: 'rpc-probe', dataDir, rpcUrl: node.url, finalityDepth, client: { callsPerSecond: 0 } });
  expect(summary.head).toBe(await node.blockNumber());
  expect(summary.contractCalls).toBeGreaterThan(0);
  return SqliteStore.openExisting(storePath(dataDir, 'rpc-probe', 'mainnet'));
}

test('transactions, receipts, contract calls at the handler block, and template data sources from their creating block on', async () => {
  const store = await index(0);
  const seen = store.list('Seen').map((e) => Object.fromEntries([...e].map(([k, v]) => [k, 'value' in v ? v.value : null])));
  const hex = (v: unknown) => '0x' + Buffer.from(v as Uint8Array).toString('hex');
  const pings = seen
    .filter((s) => s.handler === 'ping')
    .map((s) => s.n as bigint)
    .sort((a, b) => Number(a - b));
  expect(pings).toEqual([1n, 2n, 3n, 4n, 5n]);
  const creations = seen.filter((s) => s.handler === 'created');
  expect(creations).toHaveLength(2);
  for (const s of seen) {
    expect(s.calledBlockNumber).toBe(s.blockNumber);
    expect(s.revertReverted).toBe(true);
    expect(hex(s.txFrom)).toBe(sender);
    expect(s.txGasLimit as bigint).toBeGreaterThan(21_000n);
    expect(s.txInputLength as number).toBeGreaterThan(0);
  }
  // Only the `receipt: true` handler gets the receipt: one log in the factory's transaction.
  for (const s of creations) {
    expect(hex(s.txTo)).toBe(FACTORY);
    expect(s.receiptStatus).toBe(1n);
    expect(s.receiptLogs).toBe(1);
    expect(s.receiptGasUsed as bigint).toBeGreaterThan(21_000n);
  }
  expect(creations.map((s) => s.txValue as bigint).sort()).toEqual([0n, 5n]);
  for (const s of seen.filter((x) => x.handler === 'ping')) expect(s.receiptGasUsed).toBeUndefined();
  const digest = store.digest();
  store.close();
  // Every block checked one by one (all within the finality depth) gives the same store.
  const unfinal = await index(1000);
  expect(unfinal.digest()).toBe(digest);
  unfinal.close();
}, 240_000);
