/**
 * Running a subgraph someone else wrote, as docs/other-subgraphs.md tells it:
 * `svr index` pointed at the subgraph's own folder (outside svr, with its own
 * package.json and networks.json), its start block taken from networks.json,
 * and its contract reads answered from a calls file. The first run, without
 * the calls file, stops and says which line to record.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { encodeAbiParameters, encodeEventTopics, encodeFunctionData, keccak256, toHex } from 'viem';
import { storePath } from '../../server/indexer/deployment';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';

const ROOT = resolve(__dirname, '..', '..');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'subgraphs', 'someone-else');
const TOKEN = '0x00000000000000000000000000000000000070c3' as const;
const ALICE = '0x00000000000000000000000000000000000a11ce' as const;
const BOB = '0x0000000000000000000000000000000000000b0b' as const;
const abi = [
  { type: 'event', name: 'Transfer', inputs: [{ name: 'from', type: 'address', indexed: true }, { name: 'to', type: 'address', indexed: true }, { name: 'value', type: 'uint256', indexed: false }] },
  { type: 'function', name: 'balanceOf', stateMutability: 'view', inputs: [{ name: 'owner', type: 'address' }], outputs: [{ name: '', type: 'uint256' }] },
] as const;
const hex = (n: number | bigint) => '0x' + n.toString(16);
const hash = (n: number) => keccak256(toHex(`block ${n}`));

function svr(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'svr.js'), ...args], { encoding: 'utf8', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Block 99 has a transfer before the start block networks.json gives (100): it is not indexed. */
const transfers: Array<[number, `0x${string}`, bigint]> = [
  [99, ALICE, 1n],
  [100, ALICE, 5n],
  [101, BOB, 7n],
  [101, ALICE, 2n],
];
/** balanceOf(holder) at each block, as an archive node would answer. */
const balances: Record<string, bigint> = { [`100 ${ALICE}`]: 5n, [`101 ${BOB}`]: 7n, [`101 ${ALICE}`]: 7n };

let work: string;
let args: string[];

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'server', 'cli.js'))) throw new Error('dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`');
  work = mkdtempSync(join(tmpdir(), 'svr-foreign-'));
  cpSync(FIXTURE, join(work, 'token-holders'), { recursive: true });
  const logs = transfers.map(([block, to, value], i) =>
    JSON.stringify({
      address: TOKEN,
      topics: encodeEventTopics({ abi, eventName: 'Transfer', args: { from: `0x${'00'.repeat(20)}`, to } }),
      data: encodeAbiParameters([{ type: 'uint256' }], [value]),
      blockNumber: hex(block),
      blockHash: hash(block),
      transactionHash: keccak256(toHex(`tx ${i}`)),
      transactionIndex: '0x0',
      logIndex: hex(i),
      removed: false,
    }),
  );
  const blocks = [99, 100, 101].map((n) => JSON.stringify({ number: hex(n), hash: hash(n), parentHash: hash(n - 1), timestamp: hex(1_700_000_000 + n * 12) }));
  writeFileSync(join(work, 'logs.ndjson'), logs.join('\n') + '\n');
  writeFileSync(join(work, 'blocks.ndjson'), blocks.join('\n') + '\n');
  args = ['index', '--subgraph', join(work, 'token-holders'), '--network', 'mainnet', '--logs', join(work, 'logs.ndjson'), '--blocks', join(work, 'blocks.ndjson'), '--data', join(work, 'data'), '--quiet'];
}, 60_000);

test('without a calls file, indexing stops at the first contract read and says what to record', () => {
  const r = svr(args);
  expect(r.code).toBe(1);
  const data = encodeFunctionData({ abi, functionName: 'balanceOf', args: [ALICE] });
  expect(r.stderr).toContain(`add {"method":"eth_call","params":[{"to":"${TOKEN}","data":"${data}"},"0x64"],"result":"0x…"} to the --calls file`);
});

test('with the calls recorded, the subgraph indexes from its start block and answers queries', () => {
  const calls = Object.entries(balances).map(([key, balance]) => {
    const [block, holder] = key.split(' ');
    return JSON.stringify({
      method: 'eth_call',
      params: [{ to: TOKEN, data: encodeFunctionData({ abi, functionName: 'balanceOf', args: [holder as `0x${string}`] }) }, hex(Number(block))],
      result: encodeAbiParameters([{ type: 'uint256' }], [balance]),
    });
  });
  writeFileSync(join(work, 'calls.ndjson'), calls.join('\n') + '\n');
  const r = svr([...args, '--calls', join(work, 'calls.ndjson')]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/^token-holders\/mainnet: indexed /);
  const dep = ServedDeployment.open(storePath(join(work, 'data'), 'token-holders', 'mainnet'), 'token-holders', 'mainnet');
  try {
    expect(executeRequest(dep, { query: '{ holders(orderBy: id) { id balance transfersIn } _meta { block { number } } }' })).toEqual({
      data: {
        holders: [
          { id: BOB, balance: '7', transfersIn: 1 },
          { id: ALICE, balance: '7', transfersIn: 2 },
        ].sort((a, b) => a.id.localeCompare(b.id)),
        _meta: { block: { number: 101 } },
      },
    });
  } finally {
    dep.close();
  }
});
