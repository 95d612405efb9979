/**
 * The NDJSON readers of `svr index --logs --blocks`: good files parse to
 * lowercase, typed logs and headers grouped per block; every bad input fails
 * with an IngestError naming the file and the 1-based line; and the recorded
 * real logs of ../shared/fixtures/real-logs read cleanly (read where they lie).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { IngestError, groupLogsByBlock, parseHeaderLine, parseLogLine, readBlockHeaders, readLogs, sourceOf, toRpcLog, type IngestErrorCode } from '../../server/ingest/ndjson';
import type { BlockHeader, Log } from '../../server/ingest/types';

const REAL_LOGS = resolve(__dirname, '../../../shared/fixtures/real-logs');
const HAVE_SHARED = existsSync(resolve(__dirname, '../../../shared'));

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'svr-ndjson-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
/** Writes lines (objects are JSON-encoded) to a new file in the tmp dir and returns its path. */
function file(name: string, lines: Array<string | object>, ending = '\n'): string {
  const path = join(dir, `${++fileCount}-${name}`);
  writeFileSync(path, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join(ending) + ending);
  return path;
}

const h32 = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const addr = (n: number) => '0x' + n.toString(16).padStart(40, '0');
const q = (n: number | bigint) => '0x' + n.toString(16);

function header(n: number, extra: object = {}): Record<string, unknown> {
  return { number: q(n), hash: h32(1000 + n), parentHash: h32(1000 + n - 1), timestamp: q(1_700_000_000 + n * 12), ...extra };
}

function log(block: number, logIndex: number, extra: object = {}): Record<string, unknown> {
  return {
    address: addr(0xabc),
    topics: [h32(0xdead), h32(block)],
    data: '0x' + '00'.repeat(31) + '2a',
    blockNumber: q(block),
    blockHash: h32(1000 + block),
    transactionHash: h32(5000 + logIndex),
    transactionIndex: q(logIndex >> 1),
    logIndex: q(logIndex),
    removed: false,
    ...extra,
  };
}

/** The IngestError a promise (or function) fails with; checks code, file and line, and that the message names both. */
async function failure(run: () => Promise<unknown> | unknown, code: IngestErrorCode, path: string, line: number): Promise<IngestError> {
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(IngestError);
  const e = error as IngestError;
  expect({ code: e.code, file: e.file, line: e.line }).toEqual({ code, file: path, line });
  expect(e.message).toContain(`${path} line ${line}:`);
  return e;
}

describe('good files', () => {
  test('logs: typed, lowercase, blank lines and CRLF endings skipped, line numbers kept', async () => {
    const upper = { ...log(7, 1), address: '0xABCDEF0000000000000000000000000000000ABC', blockHash: h32(1007).toUpperCase().replace('0X', '0x') };
    const path = file('logs.ndjson', [log(7, 0), '', '   ', upper, log(9, 0)], '\r\n');
    const logs = await readLogs(path);
    expect(logs).toHaveLength(3);
    expect(logs[0]).toEqual<Log>({
      address: addr(0xabc),
      topics: [h32(0xdead), h32(7)],
      data: '0x' + '00'.repeat(31) + '2a',
      blockNumber: 7n,
      blockHash: h32(1007),
      transactionHash: h32(5000),
      transactionIndex: 0,
      logIndex: 0,
      removed: false,
    });
    expect(logs[1].address).toBe('0xabcdef0000000000000000000000000000000abc');
    expect(logs[1].blockHash).toBe(h32(1007));
    expect(logs.map((l) => sourceOf(l)?.line)).toEqual([1, 4, 5]);
    expect(toRpcLog(logs[0])).toEqual(log(7, 0));
  });

  test('logs: empty data, no topics, missing "removed" (taken as false), a trailing line without newline', async () => {
    const path = join(dir, 'no-final-newline.ndjson');
    const { removed: _removed, ...noRemoved } = log(3, 2, { topics: [], data: '0x' });
    writeFileSync(path, JSON.stringify(noRemoved));
    const [l] = await readLogs(path);
    expect(l).toMatchObject({ topics: [], data: '0x', removed: false, logIndex: 2 });
  });

  test('an empty file is no logs and no headers', async () => {
    const path = file('empty.ndjson', []);
    expect(await readLogs(path)).toEqual([]);
    expect(await readBlockHeaders(path)).toEqual([]);
  });

  test('headers: typed, extra eth_getBlockByNumber fields kept as lowercase hex, null extras and unknown fields dropped', async () => {
    const extras = {
      miner: '0x95222290DD7278Aa3Ddd389Cc1E1d165CC4BAfe5',
      gasUsed: '0x1c9c380',
      gasLimit: '0x1c9c380',
      baseFeePerGas: '0x7',
      difficulty: '0x0',
      totalDifficulty: '0xC70D815D562D3CFA955',
      size: '0x220',
      stateRoot: h32(1),
      transactionsRoot: h32(2),
      receiptsRoot: h32(3),
      sha3Uncles: h32(4),
    };
    const path = file('blocks.ndjson', [header(10, { ...extras, logsBloom: '0x00', transactions: [], nonce: '0x0' }), header(11, { baseFeePerGas: null })]);
    const [a, b] = await readBlockHeaders(path);
    expect(a).toEqual<BlockHeader>({
      number: 10n,
      hash: h32(1010),
      parentHash: h32(1009),
      timestamp: 1_700_000_120n,
      ...extras,
      miner: '0x95222290dd7278aa3ddd389cc1e1d165cc4bafe5',
      totalDifficulty: '0xc70d815d562d3cfa955',
    });
    expect(b).toEqual({ number: 11n, hash: h32(1011), parentHash: h32(1010), timestamp: 1_700_000_132n });
  });

  test('groupLogsByBlock: ascending blocks (those without logs too), logs by logIndex', async () => {
    // Gaps between headers need no parent link; consecutive ones do.
    const blocks = await readBlockHeaders(file('blocks.ndjson', [header(5), header(6), header(9)]));
    const logs = await readLogs(file('logs.ndjson', [log(9, 4), log(5, 2), log(9, 0), log(5, 0), log(9, 1)]));
    const grouped = groupLogsByBlock(blocks, logs);
    expect(grouped.map((b) => [b.header.number, b.logs.map((l) => l.logIndex)])).toEqual([
      [5n, [0, 2]],
      [6n, []],
      [9n, [0, 1, 4]],
    ]);
    expect(grouped[2].header).toBe(blocks[2]);
  });

  test('groupLogsByBlock accepts headers and logs merged from several files, in any order', async () => {
    const h1 = await readBlockHeaders(file('a.blocks', [header(20)]));
    const h2 = await readBlockHeaders(file('b.blocks', [header(3), header(4)]));
    const l1 = await readLogs(file('a.logs', [log(20, 1)]));
    const l2 = await readLogs(file('b.logs', [log(4, 0), log(20, 0)]));
    const grouped = groupLogsByBlock([...h1, ...h2], [...l1, ...l2]);
    expect(grouped.map((b) => [b.header.number, b.logs.map((l) => l.logIndex)])).toEqual([
      [3n, []],
      [4n, [0]],
      [20n, [0, 1]],
    ]);
  });

  test('logs built in memory (no file) group too', () => {
    const header: BlockHeader = { number: 1n, hash: h32(1), parentHash: h32(0), timestamp: 1n };
    const mk = (i: number): Log => ({ address: addr(1), topics: [], data: '0x', blockNumber: 1n, blockHash: h32(1), transactionHash: h32(2), transactionIndex: 0, logIndex: i, removed: false });
    expect(groupLogsByBlock([header], [mk(1), mk(0)])[0].logs.map((l) => l.logIndex)).toEqual([0, 1]);
  });

  test('a large file streams through', async () => {
    const lines: object[] = [];
    for (let i = 0; i < 20_000; i++) lines.push(log(100 + Math.floor(i / 100), i % 100));
    const logs = await readLogs(file('large.ndjson', lines));
    expect(logs).toHaveLength(20_000);
    expect(sourceOf(logs[19_999])).toEqual({ file: expect.stringContaining('large.ndjson'), line: 20_000 });
  });
});

describe('bad log lines: the file and the 1-based line are named', () => {
  const badLine = async (bad: string | object, code: IngestErrorCode, contains: string | RegExp) => {
    const path = file('logs.ndjson', [log(1, 0), '', bad, log(2, 0)]);
    const e = await failure(() => readLogs(path), code, path, 3);
    expect(e.message).toMatch(contains);
    return e;
  };

  test('malformed JSON', async () => {
    await badLine('{"address": "0x12", ', 'MALFORMED_JSON', /not valid JSON .*; each line must be one complete JSON eth_getLogs result object/);
  });

  test('a line that is not an object', async () => {
    await badLine('[1, 2]', 'NOT_AN_OBJECT', 'the line holds an array, not a JSON object');
    await badLine('42', 'NOT_AN_OBJECT', 'the line holds a number');
  });

  test('missing fields, and null (pending) block fields', async () => {
    const { transactionHash: _t, ...noTx } = log(1, 1);
    await badLine(noTx, 'MISSING_FIELD', 'the log has no "transactionHash" field; every log needs address, topics, data, blockNumber');
    await badLine(log(1, 1, { blockNumber: null }), 'MISSING_FIELD', '"blockNumber" is null (a pending record, not yet in a block)');
    await badLine(log(1, 1, { topics: undefined }), 'MISSING_FIELD', 'no "topics" field');
  });

  test('non-hex fields', async () => {
    await badLine(log(1, 1, { blockNumber: 17 }), 'NOT_HEX', '"blockNumber" is 17, not a 0x-prefixed hex string');
    await badLine(log(1, 1, { logIndex: '12' }), 'NOT_HEX', '"logIndex" is "12", not a 0x-prefixed hex string');
    await badLine(log(1, 1, { data: '0xzz' }), 'NOT_HEX', '"data" is "0xzz"');
    await badLine(log(1, 1, { transactionIndex: '0x' }), 'NOT_HEX', '"transactionIndex" is "0x", which has no digits');
    await badLine(log(1, 1, { topics: [h32(1), 7] }), 'NOT_HEX', '"topics[1]" is 7');
    await badLine(log(1, 1, { topics: 'x' }), 'BAD_FIELD', '"topics" is "x", not an array');
  });

  test('wrong lengths: address 20 bytes, hashes and topics 32 bytes, data whole bytes', async () => {
    await badLine(log(1, 1, { address: '0x' + '11'.repeat(19) }), 'WRONG_LENGTH', '"address" has 38 hex digits (19 bytes); an address is 20 bytes: 0x and 40 hex digits');
    await badLine(log(1, 1, { blockHash: '0x' + '11'.repeat(20) }), 'WRONG_LENGTH', '"blockHash" has 40 hex digits (20 bytes); a block hash is 32 bytes');
    await badLine(log(1, 1, { transactionHash: '0x123' }), 'WRONG_LENGTH', '"transactionHash" has 3 hex digits; a transaction hash is 32 bytes');
    await badLine(log(1, 1, { topics: [h32(1), '0x' + '22'.repeat(33)] }), 'WRONG_LENGTH', '"topics[1]" has 66 hex digits (33 bytes); a topic is 32 bytes');
    await badLine(log(1, 1, { data: '0x123' }), 'WRONG_LENGTH', '"data" has an odd number of hex digits (3); data is whole bytes');
  });

  test('more than 4 topics', async () => {
    await badLine(log(1, 1, { topics: [1, 2, 3, 4, 5].map(h32) }), 'TOO_MANY_TOPICS', 'the log has 5 topics; an EVM log has at most 4 topics');
  });

  test('removed logs are rejected: the file must hold the canonical chain', async () => {
    const e = await badLine(log(1, 1, { removed: true }), 'REMOVED_LOG', '"removed": true');
    expect(e.message).toContain('the logs file must hold the canonical chain only');
    await badLine(log(1, 1, { removed: 'false' }), 'BAD_FIELD', '"removed" is "false", not true or false');
  });

  test('absurd indexes', async () => {
    await badLine(log(1, 1, { logIndex: '0x' + 'f'.repeat(20) }), 'BAD_FIELD', '"logIndex" is 1208925819614629174706175, far larger than any real logIndex');
  });

  test('a repeated (blockNumber, logIndex) names both lines', async () => {
    const path = file('logs.ndjson', [log(1, 0), log(1, 1), log(2, 1), '', log(1, 1, { transactionHash: h32(77) })]);
    const e = await failure(() => readLogs(path), 'DUPLICATE_LOG', path, 5);
    expect(e.message).toContain(`a second log at block 1 with logIndex 1 (the first is at ${path} line 2)`);
  });

  test('a bad line after many good ones still fails the whole read', async () => {
    const lines: Array<object | string> = [];
    for (let i = 0; i < 5000; i++) lines.push(log(1 + Math.floor(i / 10), i % 10));
    lines.push('{oops');
    const path = file('late.ndjson', lines);
    await failure(() => readLogs(path), 'MALFORMED_JSON', path, 5001);
  });
});

describe('unreadable input', () => {
  test('a missing file or a directory is UNREADABLE_FILE naming the path', async () => {
    const missing = join(dir, 'nope.ndjson');
    await expect(readLogs(missing)).rejects.toMatchObject({ code: 'UNREADABLE_FILE', file: missing, line: 0, message: `${missing}: cannot be read (ENOENT); check the path and its permissions` });
    await expect(readBlockHeaders(dir)).rejects.toMatchObject({ code: 'UNREADABLE_FILE', file: dir, line: 0, message: `${dir}: cannot be read (EISDIR); check the path and its permissions` });
  });
});

describe('bad header lines', () => {
  test('field checks as for logs', async () => {
    let path = file('blocks.ndjson', [header(1), header(2, { hash: '0x12' })]);
    let e = await failure(() => readBlockHeaders(path), 'WRONG_LENGTH', path, 2);
    expect(e.message).toContain('"hash" has 2 hex digits (1 bytes); a block hash is 32 bytes');
    const { timestamp: _ts, ...noTimestamp } = header(2);
    path = file('blocks.ndjson', [header(1), noTimestamp]);
    e = await failure(() => readBlockHeaders(path), 'MISSING_FIELD', path, 2);
    expect(e.message).toContain('the header has no "timestamp" field; every header needs number, hash, parentHash and timestamp');
    path = file('blocks.ndjson', ['not json']);
    await failure(() => readBlockHeaders(path), 'MALFORMED_JSON', path, 1);
    path = file('blocks.ndjson', [header(1, { miner: addr(1) + '00' })]);
    e = await failure(() => readBlockHeaders(path), 'WRONG_LENGTH', path, 1);
    expect(e.message).toContain('"miner" has 42 hex digits (21 bytes); an address is 20 bytes');
    path = file('blocks.ndjson', [header(1, { gasUsed: 5 })]);
    await failure(() => readBlockHeaders(path), 'NOT_HEX', path, 1);
  });

  test('headers must strictly increase', async () => {
    let path = file('blocks.ndjson', [header(5), header(7), header(6)]);
    let e = await failure(() => readBlockHeaders(path), 'HEADERS_NOT_INCREASING', path, 3);
    expect(e.message).toContain(`block 6 comes after block 7 (at ${path} line 2); headers must be in strictly ascending block order`);
    path = file('blocks.ndjson', [header(5), '', header(5)]);
    e = await failure(() => readBlockHeaders(path), 'HEADERS_NOT_INCREASING', path, 3);
    expect(e.message).toContain(`block 5 appears again (also at ${path} line 1)`);
  });

  test('consecutive headers must link by parentHash, and the message says which', async () => {
    const path = file('blocks.ndjson', [header(5), header(6), header(7, { parentHash: h32(42) })]);
    const e = await failure(() => readBlockHeaders(path), 'PARENT_HASH_MISMATCH', path, 3);
    expect(e.message).toContain(`block 7 has parentHash ${h32(42)}, but block 6 (at ${path} line 2) has hash ${h32(1006)}`);
    expect(e.message).toContain('export the blocks again from the canonical chain');
  });

  test('a null parentHash is refused unless the file is read unlinked; then the parent stays unknown, never filled in', async () => {
    const path = file('blocks.ndjson', [header(5), header(6, { parentHash: null }), header(7)]);
    const e = await failure(() => readBlockHeaders(path), 'MISSING_FIELD', path, 2);
    expect(e.message).toContain('"parentHash" is null');
    expect(e.message).toContain('--unlinked-blocks');
    const headers = await readBlockHeaders(path, { unlinked: true });
    expect(headers.map((h) => h.parentHash)).toEqual([h32(1004), null, h32(1006)]);
    // Only the unknown link goes unchecked: a parent hash that is there is still checked.
    const wrong = file('blocks.ndjson', [header(5, { parentHash: null }), header(6, { parentHash: h32(42) })]);
    await failure(() => readBlockHeaders(wrong, { unlinked: true }), 'PARENT_HASH_MISMATCH', wrong, 2);
    // An absent field is still an error with the option: only an explicit null says "not recorded".
    const absent = file('blocks.ndjson', [{ number: q(5), hash: h32(1005), timestamp: q(1) }]);
    await failure(() => readBlockHeaders(absent, { unlinked: true }), 'MISSING_FIELD', absent, 1);
  });
});

describe('logs against headers (groupLogsByBlock)', () => {
  test('a log whose block has no header', async () => {
    const blocksPath = file('blocks.ndjson', [header(1), header(2)]);
    const logsPath = file('logs.ndjson', [log(1, 0), log(3, 0)]);
    const [headers, logs] = await Promise.all([readBlockHeaders(blocksPath), readLogs(logsPath)]);
    const e = await failure(() => groupLogsByBlock(headers, logs), 'NO_HEADER', logsPath, 2);
    expect(e.message).toContain(`the log is in block 3, which has no header in ${blocksPath}; add block 3's header`);
  });

  test("a log whose blockHash is not its header's hash", async () => {
    const blocksPath = file('blocks.ndjson', [header(1), header(2)]);
    const logsPath = file('logs.ndjson', [log(1, 0), log(2, 0), log(2, 1, { blockHash: h32(99) })]);
    const [headers, logs] = await Promise.all([readBlockHeaders(blocksPath), readLogs(logsPath)]);
    const e = await failure(() => groupLogsByBlock(headers, logs), 'BLOCK_HASH_MISMATCH', logsPath, 3);
    expect(e.message).toContain(`the log's blockHash ${h32(99)} differs from the hash ${h32(1002)} of block 2 (at ${blocksPath} line 2)`);
  });

  test('duplicates across merged files', async () => {
    const headers = await readBlockHeaders(file('blocks.ndjson', [header(1)]));
    const a = file('a.logs', [log(1, 0)]);
    const b = file('b.logs', [log(1, 1), log(1, 0)]);
    const logs = [...(await readLogs(a)), ...(await readLogs(b))];
    const e = await failure(() => groupLogsByBlock(headers, logs), 'DUPLICATE_LOG', b, 2);
    expect(e.message).toContain(`(the first is at ${a} line 1)`);
  });

  test('headers merged from several files are checked again', async () => {
    const a = await readBlockHeaders(file('a.blocks', [header(1)]));
    const bPath = file('b.blocks', [header(2, { parentHash: h32(7) })]);
    const b = await readBlockHeaders(bPath);
    await failure(() => groupLogsByBlock([...a, ...b], []), 'PARENT_HASH_MISMATCH', bPath, 1);
  });

  test('logs not read from a file get file and line null', () => {
    const header: BlockHeader = { number: 1n, hash: h32(1), parentHash: h32(0), timestamp: 1n };
    const orphan: Log = { address: addr(1), topics: [], data: '0x', blockNumber: 2n, blockHash: h32(2), transactionHash: h32(2), transactionIndex: 0, logIndex: 0, removed: false };
    expect(() => groupLogsByBlock([header], [orphan])).toThrow(expect.objectContaining({ code: 'NO_HEADER', file: null, line: null }));
  });

  test('parseLogLine / parseHeaderLine validate single lines', () => {
    expect(parseLogLine(JSON.stringify(log(1, 0)), 'x.ndjson', 9).logIndex).toBe(0);
    expect(() => parseHeaderLine('{}', 'y.ndjson', 4)).toThrow('y.ndjson line 4: the header has no "number" field');
  });
});

// ---------------------------------------------------------------------------
// The recorded real logs, read where they lie
// ---------------------------------------------------------------------------

if (!HAVE_SHARED) {
  console.warn(
    `test/ingest/ndjson.test.ts: the real-logs fixture test is SKIPPED because ../shared is missing ` +
      `(${resolve(__dirname, '../../../shared')} does not exist). It reads ../shared/fixtures/real-logs, which sits beside the repository.`,
  );
}
const testReal = HAVE_SHARED ? test : test.skip;

testReal('the real-logs fixtures read, validate and group cleanly, field for field', async () => {
  const prefixes = readdirSync(REAL_LOGS)
    .filter((f) => f.endsWith('.logs.ndjson'))
    .map((f) => f.slice(0, -'.logs.ndjson'.length))
    .sort();
  expect(prefixes.length).toBeGreaterThan(0);
  let total = 0;
  for (const prefix of prefixes) {
    const logsPath = join(REAL_LOGS, `${prefix}.logs.ndjson`);
    const blocksPath = join(REAL_LOGS, `${prefix}.blocks.ndjson`);
    const [headers, logs] = await Promise.all([readBlockHeaders(blocksPath), readLogs(logsPath)]);
    const rawLogs = readFileSync(logsPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
    const rawHeaders = readFileSync(blocksPath, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l));
    expect(logs).toHaveLength(rawLogs.length);
    expect(headers).toHaveLength(rawHeaders.length);
    logs.forEach((l, i) => {
      const r = rawLogs[i];
      expect(l).toEqual<Log>({
        address: r.address.toLowerCase(),
        topics: r.topics.map((t: string) => t.toLowerCase()),
        data: r.data.toLowerCase(),
        blockNumber: BigInt(r.blockNumber),
        blockHash: r.blockHash.toLowerCase(),
        transactionHash: r.transactionHash.toLowerCase(),
        transactionIndex: Number(r.transactionIndex),
        logIndex: Number(r.logIndex),
        removed: false,
      });
    });
    headers.forEach((h, i) => {
      const r = rawHeaders[i];
      expect(h).toEqual({ number: BigInt(r.number), hash: r.hash, parentHash: r.parentHash, timestamp: BigInt(r.timestamp) });
    });
    const grouped = groupLogsByBlock(headers, logs);
    expect(grouped.map((b) => b.header)).toEqual(headers);
    expect(grouped.flatMap((b) => b.logs)).toEqual(logs); // the files are in (blockNumber, logIndex) order
    for (const b of grouped) for (const l of b.logs) expect(l.blockHash).toBe(b.header.hash);
    total += logs.length;
  }
  expect(total).toBe(117); // the README's count of recorded logs
});
