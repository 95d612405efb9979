/**
 * NDJSON mutations against a store being resumed: whatever single line of the
 * input is broken (a block number past graph-node's 32-bit range, a timestamp
 * past its block time, bad JSON, bad hex, a removed log, a first new block
 * that does not continue the stored head), `indexFiles` fails with an
 * IngestError naming the file and the line, and the store is exactly as it
 * was: nothing of the run is applied. fast-check picks the mutations and the
 * lines (a bounded number of runs).
 */
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../bench/runtime';
import { buildSubgraph } from '../../server/compile/graph-build';
import { storePath } from '../../server/indexer/deployment';
import { indexFiles } from '../../server/indexer/index-files';
import { IngestError, MAX_BLOCK_NUMBER, MAX_BLOCK_TIMESTAMP } from '../../server/ingest/ndjson';
import type { BlockWithLogs } from '../../server/ingest/types';
import { PROJECT_ROOT } from '../../server/paths';
import { SqliteStore } from '../../server/store/sqlite-store';

const FIXTURE = join(PROJECT_ROOT, 'bench', 'fixtures', 'gmx-positions');
const hex = (n: bigint | number) => '0x' + n.toString(16);

let manifestPath: string;
let dir: string;
let blocks: BlockWithLogs[];
const FIRST_RUN = 40;

const logLine = (l: BlockWithLogs['logs'][number]) => JSON.stringify({ ...l, blockNumber: hex(l.blockNumber), transactionIndex: hex(l.transactionIndex), logIndex: hex(l.logIndex) });
const headerLine = (b: BlockWithLogs) => JSON.stringify({ number: hex(b.header.number), hash: b.header.hash, parentHash: b.header.parentHash, timestamp: hex(b.header.timestamp) });

function writeInput(name: string, upTo: number, from = 0): { logs: string; blocks: string; logLines: string[]; headerLines: string[] } {
  const chosen = blocks.slice(from, upTo);
  const logLines = chosen.flatMap((b) => b.logs).map(logLine);
  const headerLines = chosen.map(headerLine);
  const logs = join(dir, `${name}-logs.ndjson`);
  const blocksFile = join(dir, `${name}-blocks.ndjson`);
  writeFileSync(logs, logLines.join('\n') + '\n');
  writeFileSync(blocksFile, headerLines.join('\n') + '\n');
  return { logs, blocks: blocksFile, logLines, headerLines };
}

beforeAll(async () => {
  manifestPath = buildSubgraph({ subgraphDir: FIXTURE, network: 'arbitrum-one' });
  dir = mkdtempSync(join(tmpdir(), 'svr-mutate-'));
  blocks = generate(600, 6);
  const first = writeInput('first', FIRST_RUN);
  await indexFiles({ manifestPath, subgraph: 'gmx-positions', dataDir: join(dir, 'data'), logsPath: first.logs, blocksPath: first.blocks });
}, 600_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function storeState(): { head: number | null; digest: string } {
  const store = SqliteStore.openExisting(storePath(join(dir, 'data'), 'gmx-positions', 'arbitrum-one'));
  try {
    return { head: store.head()?.number ?? null, digest: store.digest() };
  } finally {
    store.close();
  }
}

type Mutation = { kind: 'header' | 'log'; apply: (o: Record<string, unknown>) => Record<string, unknown> | string; message: RegExp };
const MUTATIONS: Record<string, Mutation> = {
  blockNumberPastI32: { kind: 'header', apply: (o) => ({ ...o, number: '0x7fffffffffffffff' }), message: new RegExp(`"number" is 9223372036854775807, above ${MAX_BLOCK_NUMBER}`) },
  timestampPastBlockTime: { kind: 'header', apply: (o) => ({ ...o, timestamp: hex(MAX_BLOCK_TIMESTAMP + 1n) }), message: /"timestamp" is \d+, above 8210266876799/ },
  gasUsedPastU256: { kind: 'header', apply: (o) => ({ ...o, gasUsed: '0x1' + '0'.repeat(64) }), message: /"gasUsed" has more than 256 bits/ },
  headerNotJson: { kind: 'header', apply: (o) => JSON.stringify(o).slice(0, -3), message: /not valid JSON/ },
  logBlockPastI32: { kind: 'log', apply: (o) => ({ ...o, blockNumber: '0x80000000' }), message: /"blockNumber" is 2147483648, above 2147483647/ },
  logNotHex: { kind: 'log', apply: (o) => ({ ...o, data: 'zz' }), message: /"data" is "zz", not a 0x-prefixed hex string/ },
  logRemoved: { kind: 'log', apply: (o) => ({ ...o, removed: true }), message: /"removed": true/ },
  logFiveTopics: { kind: 'log', apply: (o) => ({ ...o, topics: [...(o.topics as string[]), ...Array(5).fill('0x' + '1'.repeat(64))] }), message: /topics/ },
};

test('a broken line anywhere in a resumed run: the error names file and line, and the store is unchanged', async () => {
  const before = storeState();
  expect(before.head).toBe(FIRST_RUN);
  const input = writeInput('full', blocks.length);
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...Object.keys(MUTATIONS)), fc.nat(), async (name, pick) => {
      runs++;
      const m = MUTATIONS[name];
      const lines = m.kind === 'header' ? [...input.headerLines] : [...input.logLines];
      // Lines of the blocks this run would apply (after the stored head), and anywhere for log lines.
      const candidates = m.kind === 'header' ? lines.map((_, i) => i).filter((i) => i >= FIRST_RUN) : lines.map((_, i) => i);
      const index = candidates[pick % candidates.length];
      const mutated = m.apply(JSON.parse(lines[index]));
      lines[index] = typeof mutated === 'string' ? mutated : JSON.stringify(mutated);
      const file = join(dir, `mutated-${runs}.ndjson`);
      writeFileSync(file, lines.join('\n') + '\n');
      const error = await indexFiles({
        manifestPath,
        subgraph: 'gmx-positions',
        dataDir: join(dir, 'data'),
        logsPath: m.kind === 'log' ? file : input.logs,
        blocksPath: m.kind === 'header' ? file : input.blocks,
      }).then(
        () => null,
        (e) => e,
      );
      expect(error).toBeInstanceOf(IngestError);
      expect(error.file).toBe(file);
      expect(error.line).toBe(index + 1);
      expect(error.message).toContain(`${file} line ${index + 1}`);
      expect(error.message).toMatch(m.message);
      expect(storeState()).toEqual(before);
    }),
    // Every kind at least once (its first candidate line), then random kinds and lines: 14 runs in all.
    { numRuns: 14, seed: 13, examples: Object.keys(MUTATIONS).map((name) => [name, 0] as [string, number]) },
  );
  expect(runs).toBe(14);
});

test("resuming with a first new block whose parent is not the stored head is refused, saying what to do; nothing applied", async () => {
  const before = storeState();
  // Only the new blocks, as a later export would hold them; the first claims another parent.
  const input = writeInput('fork', blocks.length, FIRST_RUN);
  const lines = readFileSync(input.blocks, 'utf8').trimEnd().split('\n');
  const forked = JSON.parse(lines[0]);
  forked.parentHash = '0x' + 'ab'.repeat(32);
  lines[0] = JSON.stringify(forked);
  writeFileSync(input.blocks, lines.join('\n') + '\n');
  const error = await indexFiles({ manifestPath, subgraph: 'gmx-positions', dataDir: join(dir, 'data'), logsPath: input.logs, blocksPath: input.blocks }).catch((e) => e);
  expect(error).toBeInstanceOf(IngestError);
  expect(error.code).toBe('RESUME_PARENT_MISMATCH');
  expect(error.line).toBe(1);
  expect(error.message).toMatch(new RegExp(`block ${FIRST_RUN + 1} has parentHash 0x(ab){32}, but the store's head, block ${FIRST_RUN}, is 0x[0-9a-f]{64}`));
  expect(error.message).toMatch(/export the blocks again from the chain the store was indexed from, or index this input into another --data directory/);
  expect(storeState()).toEqual(before);
});

test('the unbroken input resumes and applies whole blocks up to its last', async () => {
  const input = writeInput('good', blocks.length);
  const summary = await indexFiles({ manifestPath, subgraph: 'gmx-positions', dataDir: join(dir, 'data'), logsPath: input.logs, blocksPath: input.blocks });
  expect(summary).toMatchObject({ blocksSkipped: FIRST_RUN, blocksIndexed: blocks.length - FIRST_RUN, head: blocks.length });
});
