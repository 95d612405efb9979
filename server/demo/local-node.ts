/**
 * A real Ethereum JSON-RPC node on loopback: Hardhat 2's node (EDR, from npm),
 * bound to 127.0.0.1, and a tiny hand-assembled contract placed with
 * hardhat_setCode at a protocol's real address that emits, from its calldata,
 * exactly the logs it is given, so that the node's logs, blocks, transactions
 * and receipts are real while the events are the protocol's own encodings
 * (this folder's simulators and encoders). The live demo (server/start/live-demo.ts)
 * mines the demo market on it; the tests and bench:ingest drive it directly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths';

const HARDHAT_CLI = join(PROJECT_ROOT, 'node_modules', 'hardhat', 'internal', 'cli', 'bootstrap.js');

// ---------------------------------------------------------------------------
// The log emitter: calldata is a sequence of records
//   [1 byte: topic count n (0..4)] [2 bytes: data length L] [n x 32 bytes: topics] [L bytes: data]
// and the contract emits one LOGn per record, in order.
// ---------------------------------------------------------------------------

const OP = {
  STOP: 0x00, ADD: 0x01, EQ: 0x14, GT: 0x11, ISZERO: 0x15, SHL: 0x1b, SHR: 0x1c,
  CALLDATALOAD: 0x35, CALLDATASIZE: 0x36, CALLDATACOPY: 0x37, JUMP: 0x56, JUMPI: 0x57, JUMPDEST: 0x5b,
  PUSH1: 0x60, PUSH2: 0x61, DUP1: 0x80, SWAP1: 0x90, LOG0: 0xa0, INVALID: 0xfe,
} as const;

type Asm = Array<number | { push: number } | { label: string } | { jumpTo: string }>;

/** Assembles opcodes, 1-byte pushes, labels (JUMPDEST) and 2-byte pushes of label offsets. */
function assemble(program: Asm): string {
  const size = (x: Asm[number]) => (typeof x === 'number' ? 1 : 'push' in x ? 2 : 'label' in x ? 1 : 3);
  const labels = new Map<string, number>();
  let offset = 0;
  for (const x of program) {
    if (typeof x === 'object' && 'label' in x) labels.set(x.label, offset);
    offset += size(x);
  }
  const bytes: number[] = [];
  for (const x of program) {
    if (typeof x === 'number') bytes.push(x);
    else if ('push' in x) bytes.push(OP.PUSH1, x.push);
    else if ('label' in x) bytes.push(OP.JUMPDEST);
    else {
      const at = labels.get(x.jumpTo)!;
      bytes.push(OP.PUSH2, at >> 8, at & 0xff);
    }
  }
  return '0x' + Buffer.from(bytes).toString('hex');
}

export function logEmitterCode(): string {
  const p: Asm = [
    { push: 0 }, // [ptr]
    { label: 'loop' },
    OP.DUP1, OP.CALLDATASIZE, OP.GT, OP.ISZERO, { jumpTo: 'end' }, OP.JUMPI, // stop when ptr >= calldatasize
    OP.DUP1, OP.CALLDATALOAD, { push: 248 }, OP.SHR, // [ptr, n]
    OP.DUP1 + 1, { push: 1 }, OP.ADD, OP.CALLDATALOAD, { push: 240 }, OP.SHR, // [ptr, n, L]
    // memory[0..L) = calldata[ptr + 3 + 32n ..)
    OP.DUP1, OP.DUP1 + 2, { push: 5 }, OP.SHL, OP.DUP1 + 4, OP.ADD, { push: 3 }, OP.ADD, { push: 0 }, OP.CALLDATACOPY,
  ];
  for (let n = 0; n <= 4; n++) p.push(OP.DUP1 + 1, { push: n }, OP.EQ, { jumpTo: `log${n}` }, OP.JUMPI);
  p.push(OP.INVALID);
  for (let n = 0; n <= 4; n++) {
    p.push({ label: `log${n}` });
    // Push topic n-1 first, topic 0 last (LOGn pops offset, size, topic0, topic1, ...).
    for (let i = n - 1; i >= 0; i--) {
      const depth = 3 + (n - 1 - i); // ptr's depth below what is already pushed
      p.push(OP.DUP1 + depth - 1, { push: 3 + 32 * i }, OP.ADD, OP.CALLDATALOAD);
    }
    p.push(OP.DUP1 + n, { push: 0 }, OP.LOG0 + n, { jumpTo: 'next' }, OP.JUMP);
  }
  // [ptr, n, L] -> ptr + 3 + 32n + L
  p.push({ label: 'next' }, OP.SWAP1, { push: 5 }, OP.SHL, OP.ADD, OP.ADD, { push: 3 }, OP.ADD, { jumpTo: 'loop' }, OP.JUMP);
  p.push({ label: 'end' }, OP.STOP);
  return assemble(p);
}

export interface EmittedLog {
  topics: string[];
  data: string;
}

/** The emitter's calldata for these logs. */
export function emitterCalldata(logs: EmittedLog[]): string {
  let out = '0x';
  for (const l of logs) {
    const data = l.data.slice(2);
    if (l.topics.length > 4) throw new Error('a log has at most 4 topics');
    if (data.length / 2 > 0xffff) throw new Error('log data over 64 KiB');
    out += l.topics.length.toString(16).padStart(2, '0') + (data.length / 2).toString(16).padStart(4, '0');
    for (const t of l.topics) out += t.slice(2).padStart(64, '0');
    out += data;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The node
// ---------------------------------------------------------------------------

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class LocalNode {
  private nextId = 1;
  /** Calls made through rpc() (the test's own driving, not the indexer's). */
  constructor(
    readonly url: string,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  async rpc<T = unknown>(method: string, params: unknown[] = []): Promise<T> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
    });
    const body = (await response.json()) as { result?: T; error?: { message: string } };
    if (body.error) throw new Error(`${method}: ${body.error.message}`);
    return body.result as T;
  }

  /** The node's process id. */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Block `n`'s header as the indexer reads it (number, hash, parentHash, timestamp, in JSON-RPC hex). */
  async header(n: number): Promise<{ number: string; hash: string; parentHash: string; timestamp: string }> {
    const b = await this.rpc<{ number: string; hash: string; parentHash: string; timestamp: string } | null>('eth_getBlockByNumber', ['0x' + n.toString(16), false]);
    if (!b) throw new Error(`the node has no block ${n}`);
    return { number: b.number, hash: b.hash, parentHash: b.parentHash, timestamp: b.timestamp };
  }

  /** The next mined block's time, Unix seconds (evm_setNextBlockTimestamp). */
  async setNextBlockTimestamp(seconds: number): Promise<void> {
    await this.rpc('evm_setNextBlockTimestamp', [seconds]);
  }

  async blockNumber(): Promise<number> {
    return Number(await this.rpc<string>('eth_blockNumber'));
  }

  async accounts(): Promise<string[]> {
    return this.rpc<string[]>('eth_accounts');
  }

  /** Places the log emitter at `address`. */
  async installEmitter(address: string): Promise<void> {
    await this.rpc('hardhat_setCode', [address, logEmitterCode()]);
  }

  /** Mines `count` empty blocks (hardhat_mine). */
  async mine(count = 1): Promise<void> {
    if (count > 0) await this.rpc('hardhat_mine', ['0x' + count.toString(16)]);
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.rpc('evm_setAutomine', [on]);
  }

  /** Sends a transaction that makes the emitter at `to` emit `logs`; returns its hash. */
  async emit(to: string, logs: EmittedLog[], options: { from?: string; value?: bigint } = {}): Promise<string> {
    const from = options.from ?? (this.sender ??= (await this.accounts())[0]);
    const tx = { from, to, data: emitterCalldata(logs), gas: '0x' + (60_000 + logs.length * 40_000).toString(16), value: '0x' + (options.value ?? 0n).toString(16) };
    return this.rpc<string>('eth_sendTransaction', [tx]);
  }

  private sender: string | undefined;

  /** Mines one block with the pending transactions (evm_mine), for several transactions in one block with automine off. */
  async mineBlock(): Promise<void> {
    await this.rpc('evm_mine');
  }

  /** Places raw runtime bytecode at `address`. */
  async setCode(address: string, code: string): Promise<void> {
    await this.rpc('hardhat_setCode', [address, code]);
  }

  async snapshot(): Promise<string> {
    return this.rpc<string>('evm_snapshot');
  }

  async revert(snapshot: string): Promise<void> {
    const ok = await this.rpc<boolean>('evm_revert', [snapshot]);
    if (!ok) throw new Error(`evm_revert(${snapshot}) failed`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface LocalNodeOptions {
  timeoutMs?: number;
  /** EIP-155 chain id (default Hardhat's 31337); the live demo gives each network its real one. */
  chainId?: number;
  /** The genesis block's time (ISO 8601); default: now. */
  initialDate?: string;
  /** Mine a block per transaction (default true); false: blocks only on evm_mine / hardhat_mine. */
  automine?: boolean;
  /** Gas per block (default Hardhat's 30,000,000). */
  blockGasLimit?: number;
  /** Port on 127.0.0.1 (default: a free one). */
  port?: number;
}

/**
 * Starts Hardhat's node on 127.0.0.1 at a free port. Fails with a message
 * saying what is missing when it cannot start.
 */
export async function startLocalNode(options: LocalNodeOptions = {}): Promise<LocalNode> {
  if (!existsSync(HARDHAT_CLI)) {
    throw new Error(
      `Hardhat 2 is not installed (${HARDHAT_CLI} is missing): the tests need its node on loopback. ` +
        'Run `npm ci` (hardhat is a dependency; it installs EDR, a native module, from npm).',
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'svr-hardhat-'));
  // A config of its own, so the node needs no Hardhat project and compiles nothing.
  const hardhat = {
    chainId: options.chainId ?? 31337,
    mining: { auto: options.automine ?? true, interval: 0 },
    ...(options.initialDate ? { initialDate: options.initialDate } : {}),
    ...(options.blockGasLimit ? { blockGasLimit: options.blockGasLimit } : {}),
  };
  writeFileSync(join(dir, 'hardhat.config.js'), `module.exports = { networks: { hardhat: ${JSON.stringify(hardhat)} } };\n`);
  const port = options.port ?? (await freePort());
  const child = spawn(process.execPath, [HARDHAT_CLI, 'node', '--config', join(dir, 'hardhat.config.js'), '--hostname', '127.0.0.1', '--port', String(port)], {
    // Hardhat refuses to run unless started inside the project that installs it.
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, HARDHAT_DISABLE_TELEMETRY_PROMPT: 'true', CI: 'true' },
  });
  let output = '';
  const url = `http://127.0.0.1:${port}`;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Hardhat's node did not start within ${options.timeoutMs ?? 60_000} ms; its output:\n${output}`));
    }, options.timeoutMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Started HTTP and WebSocket JSON-RPC server')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Hardhat's node exited (code ${code}) before it started; run \`npm ci\` if a module is missing. Its output:\n${output}`));
    });
  });
  // Keep draining its output (it logs every request) so the pipe never blocks it.
  child.stdout!.resume();
  child.stderr!.resume();
  return new LocalNode(url, child, dir);
}

