/**
 * Runs every followed deployment in a child process of its own
 * (child_process.fork of ./follower.ts), so that a crash, a runaway mapping or
 * a slow node stops only that deployment, and restarts a child that exited
 * with back-off: the k-th restart in a row waits min(maxMs, initialMs * 2^(k-1)),
 * half of it fixed and half random ("equal jitter", so that followers of one
 * failed node do not retry in step). A follower that commits a block after
 * its restart starts the count again.
 *
 * It is the head feed (./heads.ts): each block a child commits arrives here as
 * an IPC message and goes to every subscriber at once. It keeps each
 * deployment's status (block, chain head, lag, health, events/s, last error,
 * restarts) for the gateway.
 *
 * stop(): asks every child to stop after its current block (it flushes its
 * store and exits 0), waits for them, and SIGKILLs one that has not exited
 * within `stopTimeoutMs`.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { DeploymentHead, FollowerStatus, FollowerStatusSource, HeadFeed } from './heads';
import type { FollowerMessage, FollowerStart } from './follower';

const FOLLOWER_MODULE = require.resolve('./follower');

/**
 * Under ts-jest the follower module is TypeScript: the child first teaches `require` to transpile
 * .ts (syntax only, as server/workers/pool.ts does for its threads), then runs it.
 */
function followerExecArgv(): string[] {
  if (!FOLLOWER_MODULE.endsWith('.ts')) return [];
  const code = `
const ts = require(${JSON.stringify(require.resolve('typescript'))});
const fs = require('node:fs');
require.extensions['.ts'] = (module, filename) => {
  const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
  });
  module._compile(out.outputText, filename);
};
require(process.argv[1]).runFollowerProcess();
`;
  return ['-e', code];
}

/** The window events/s is measured over. */
const RATE_WINDOW_MS = 60_000;
/** Lines of a child's stderr kept, for the error of a child that died without a word (SIGKILL, out of memory). */
const STDERR_LINES = 20;

export interface FollowedDeployment extends Omit<FollowerStart, 'type'> {}

export interface SupervisorOptions {
  deployments: FollowedDeployment[];
  restart: { initialMs: number; maxMs: number };
  /** Milliseconds a child gets to stop before SIGKILL (default 60 s: a block's handlers and a flush). */
  stopTimeoutMs?: number;
  log?: (line: string) => void;
  /** For tests: [0, 1). */
  random?: () => number;
}

class Follower {
  child: ChildProcess | null = null;
  status: FollowerStatus;
  /** Restarts in a row without a commit between them. */
  failures = 0;
  restartTimer: NodeJS.Timeout | null = null;
  /** Events of the children that ran before this one, so the count only grows. */
  eventsBase = 0;
  eventsNow = 0;
  samples: Array<{ at: number; events: number }> = [];
  stderr: string[] = [];
  fatal: string | null = null;
  committedSinceStart = false;
  ready = false;
  readyWaiters: Array<() => void> = [];
  exited: Promise<void> = Promise.resolve();

  constructor(readonly spec: FollowedDeployment) {
    this.status = {
      protocol: spec.subgraph,
      network: spec.network,
      block: null,
      chainHead: null,
      lag: null,
      health: 'starting',
      eventsPerSecond: 0,
      lastError: null,
      restarts: 0,
      following: false,
    };
  }

  get key(): string {
    return `${this.spec.subgraph}/${this.spec.network}`;
  }

  markReady(): void {
    this.ready = true;
    for (const w of this.readyWaiters.splice(0)) w();
  }

  count(events: number): void {
    this.eventsNow = this.eventsBase + events;
    const now = Date.now();
    this.samples.push({ at: now, events: this.eventsNow });
    while (this.samples.length > 2 && this.samples[1].at < now - RATE_WINDOW_MS) this.samples.shift();
  }

  eventsPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at === first.at) return 0;
    // Up to now: a follower that stopped committing shows its rate falling.
    return (last.events - first.events) / ((Math.max(Date.now(), last.at) - first.at) / 1000);
  }

  setHead(block: number, chainHead: number): void {
    this.status.block = block;
    this.status.chainHead = Math.max(chainHead, block);
    this.status.lag = Math.max(0, this.status.chainHead - block);
  }
}

export class FollowerSupervisor implements HeadFeed, FollowerStatusSource {
  private readonly followers = new Map<string, Follower>();
  private readonly listeners = new Set<(head: DeploymentHead) => void>();
  private stopping = false;
  private readonly log: (line: string) => void;
  private readonly random: () => number;

  constructor(private readonly options: SupervisorOptions) {
    this.log = options.log ?? ((line) => process.stderr.write(line + '\n'));
    this.random = options.random ?? Math.random;
    for (const d of options.deployments) {
      const f = new Follower(d);
      if (this.followers.has(f.key)) throw new Error(`${f.key} is followed twice`);
      this.followers.set(f.key, f);
    }
  }

  /** Forks every follower; resolves once each has its store open (or has failed once), so a server started next serves them all. */
  async start(): Promise<void> {
    for (const f of this.followers.values()) this.spawn(f);
    await Promise.all([...this.followers.values()].map((f) => (f.ready ? undefined : new Promise<void>((ok) => f.readyWaiters.push(ok)))));
  }

  subscribe(listener: (head: DeploymentHead) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  status(protocol: string, network: string): FollowerStatus | null {
    const f = this.followers.get(`${protocol}/${network}`);
    if (!f) return null;
    return { ...f.status, eventsPerSecond: f.eventsPerSecond() };
  }

  list(): FollowerStatus[] {
    return [...this.followers.values()].map((f) => this.status(f.spec.subgraph, f.spec.network)!);
  }

  /** The process id of a deployment's follower (for tests and operators), or null while none runs. */
  pid(protocol: string, network: string): number | null {
    return this.followers.get(`${protocol}/${network}`)?.child?.pid ?? null;
  }

  private spawn(f: Follower): void {
    f.restartTimer = null;
    f.fatal = null;
    f.stderr = [];
    f.committedSinceStart = false;
    f.eventsBase = f.eventsNow;
    const child = fork(FOLLOWER_MODULE, [], { execArgv: followerExecArgv(), stdio: ['ignore', 'inherit', 'pipe', 'ipc'], serialization: 'json' });
    f.child = child;
    f.status.following = true;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) f.stderr.push(line);
      if (f.stderr.length > STDERR_LINES) f.stderr.splice(0, f.stderr.length - STDERR_LINES);
    });
    child.on('message', (m: FollowerMessage) => this.onMessage(f, m));
    f.exited = new Promise<void>((ok) => child.once('exit', (code, signal) => {
      this.onExit(f, child, code, signal);
      ok();
    }));
    const start: FollowerStart = { type: 'start', ...f.spec };
    child.send(start);
  }

  private onMessage(f: Follower, m: FollowerMessage): void {
    switch (m.type) {
      case 'ready':
        f.markReady();
        return;
      case 'progress':
        f.setHead(m.block, m.chainHead);
        f.count(m.events);
        return;
      case 'commit': {
        f.setHead(m.head.number, m.head.chainHead);
        f.count(m.head.events);
        f.committedSinceStart = true;
        f.failures = 0;
        if (f.status.health === 'unhealthy' || f.status.health === 'failed') f.status.health = f.status.lag === 0 ? 'healthy' : 'starting';
        if (f.status.health === 'starting' && f.status.lag === 0) f.status.health = 'healthy';
        const head: DeploymentHead = { protocol: f.spec.subgraph, network: f.spec.network, number: m.head.number, hash: m.head.hash, timestamp: m.head.timestamp };
        for (const listener of this.listeners) {
          try {
            listener(head);
          } catch (e) {
            this.log(`svr: a head listener failed on ${f.key} block ${head.number}: ${(e as Error).message}`);
          }
        }
        return;
      }
      case 'event': {
        const e = m.event;
        if (e.kind === 'caught-up') {
          f.setHead(f.status.block ?? e.head, e.head);
          f.status.health = 'healthy';
        } else if (e.kind === 'retry') {
          f.status.health = 'unhealthy';
          f.status.lastError = `${e.message} (retry ${e.attempt})`;
        } else if (e.kind === 'reorg') {
          this.log(`svr: ${f.key}: reorg, block ${e.oldHead} left the chain; rolled back ${e.depth} block(s) to ${e.commonAncestor}`);
        }
        return;
      }
      case 'fatal':
        f.fatal = m.code ? `${m.code}: ${m.message}` : m.message;
        return;
      case 'done':
        return;
    }
  }

  private onExit(f: Follower, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (f.child !== child) return;
    f.child = null;
    f.status.following = false;
    // A child that failed before its store opened still counts as started: the server serves what there is.
    f.markReady();
    if (this.stopping) {
      f.status.health = 'stopped';
      if (code !== 0) this.log(`svr: ${f.key}: the follower exited with ${signal ?? `code ${code}`} while stopping`);
      return;
    }
    const why = f.fatal ?? (signal ? `the follower was killed by ${signal}` : `the follower exited with code ${code}`);
    const lastLines = f.fatal ? '' : f.stderr.slice(-3).join(' | ');
    f.status.lastError = lastLines ? `${why}: ${lastLines}` : why;
    f.status.health = 'failed';
    if (f.committedSinceStart) f.failures = 0;
    f.failures++;
    const ceiling = Math.min(this.options.restart.maxMs, this.options.restart.initialMs * 2 ** (f.failures - 1));
    const wait = Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
    f.status.restarts++;
    this.log(`svr: ${f.key}: ${f.status.lastError}; restart ${f.status.restarts} in ${wait} ms`);
    f.restartTimer = setTimeout(() => {
      if (!this.stopping) this.spawn(f);
    }, wait);
  }

  /** Stops every follower after its current block (stores flushed); resolves when all have exited. */
  async stop(): Promise<void> {
    this.stopping = true;
    const waits: Array<Promise<void>> = [];
    for (const f of this.followers.values()) {
      if (f.restartTimer) clearTimeout(f.restartTimer);
      f.restartTimer = null;
      const child = f.child;
      if (!child) {
        f.status.health = 'stopped';
        continue;
      }
      if (child.connected) child.send({ type: 'stop' });
      else child.kill('SIGTERM');
      const killer = setTimeout(() => {
        this.log(`svr: ${f.key}: the follower did not stop within ${this.options.stopTimeoutMs ?? 60_000} ms; killing it`);
        child.kill('SIGKILL');
      }, this.options.stopTimeoutMs ?? 60_000);
      waits.push(f.exited.finally(() => clearTimeout(killer)));
    }
    await Promise.all(waits);
  }
}
