/**
 * Block handler filters and trigger order, as graph-node runs them
 * (chain/ethereum/src/data_source.rs handler_for_block, trigger.rs Ord):
 * `once` at the data source's start block before everything else, logs in
 * log-index order, then every-block and polling handlers; nothing before a
 * data source's start block; module globals fresh for every trigger.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeEventTopics, keccak256, toHex } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment } from '../../server/indexer/deployment';
import type { BlockWithLogs } from '../../server/ingest/types';

const FIXTURE = join(__dirname, '..', 'fixtures', 'subgraphs', 'block-handlers');
const abi = [{ type: 'event', name: 'Ping', inputs: [{ name: 'n', type: 'uint256', indexed: true }] }] as const;

function block(n: number, pings: number): BlockWithLogs {
  const hash = keccak256(toHex(`b${n}`));
  return {
    header: { number: BigInt(n), hash, parentHash: keccak256(toHex(`b${n - 1}`)), timestamp: BigInt(1000 + n) },
    logs: Array.from({ length: pings }, (_, i) => ({
      address: '0x00000000000000000000000000000000000000aa',
      topics: encodeEventTopics({ abi, eventName: 'Ping', args: { n: BigInt(i) } }) as string[],
      data: '0x',
      blockNumber: BigInt(n),
      blockHash: hash,
      transactionHash: keccak256(toHex(`t${n}-${i}`)),
      transactionIndex: i,
      logIndex: i,
      removed: false,
    })),
  };
}

test('once, events, then every-block and polling handlers, from each start block', () => {
  const manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'mainnet' });
  const d = new Deployment({ manifestPath, subgraph: 'block-handlers', dataDir: mkdtempSync(join(tmpdir(), 'svr-bh-')) });
  for (let n = 8; n <= 16; n++) d.processBlock(block(n, n === 10 || n === 13 ? 2 : 0));
  const hits = d.store.list('Hit').map((e) => [(e.get('id') as { value: string }).value, (e.get('handler') as { value: string }).value]);
  const byBlock = new Map<number, string[]>();
  for (const [id, handler] of hits) {
    const [b, i] = id.split('-').map(Number);
    const list = byBlock.get(b) ?? [];
    list[i] = handler;
    byBlock.set(b, list);
  }
  // Noop starts at 10: once at 10 only; polling every 3 blocks from 10 (10, 13, 16); pings in 10 and 13.
  // EveryBlock starts at 12. In one block: once, then the logs, then block handlers in data source order.
  expect(Object.fromEntries(byBlock)).toEqual({
    10: ['once', 'ping', 'ping', 'polling'],
    12: ['every'],
    13: ['ping', 'ping', 'polling', 'every'],
    14: ['every'],
    15: ['every'],
    16: ['polling', 'every'],
  });
  d.close();
});
