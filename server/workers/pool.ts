/**
 * A pool of worker threads for CPU-heavy work that must not hold up the event
 * loop answering every other request (risk computations, SQLite reads).
 *
 * `pool.run(task, input, { signal, deadlineMs })` calls the exported function
 * `task` of the pool's task module in a worker, with `input` and its result
 * passed by structured clone (plain data). Work that passes its deadline or
 * whose signal aborts (the client went away) really stops: the worker running
 * it is terminated and a fresh one takes its place. At most `maxQueue` calls
 * wait for a worker; past that a call is refused at once (BUSY), so a flood
 * queues a bounded amount of work.
 *
 * A `background` pool's threads run below the event loop's CPU priority
 * (Linux: each thread lowers its own nice value, thread.ts): when the cores
 * are short, the OS runs the thread answering every other request first, and
 * the pool's work takes what is left.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export type WorkerPoolErrorCode =
  /** The call's deadline passed (queued or running); the work was stopped. */
  | 'DEADLINE'
  /** The call's signal aborted (the client went away); the work was stopped. */
  | 'CANCELLED'
  /** Every worker is busy and the queue is full: try again later. */
  | 'BUSY'
  /** The task threw; `message` is the task's own. */
  | 'TASK_FAILED'
  /** The worker died (out of memory, a crash in native code) while running the call. */
  | 'WORKER_FAILED'
  /** The input (or the result) is not structured-clonable plain data. */
  | 'NOT_CLONABLE'
  /** The pool was closed. */
  | 'POOL_CLOSED';

export class WorkerPoolError extends Error {
  constructor(
    readonly code: WorkerPoolErrorCode,
    message: string,
    /** For TASK_FAILED: the code the task's error carried, if any. */
    readonly taskCode: string | null = null,
  ) {
    super(message);
    this.name = 'WorkerPoolError';
  }
}

export interface WorkerPoolOptions {
  /** Absolute path of the module whose exported functions are the tasks (.ts under ts-jest, .js once compiled). */
  taskModule: string;
  /** Worker threads; default: cores - 1, at least 1. */
  size?: number;
  /** Calls that may wait for a worker before further ones are refused with BUSY; default DEFAULT_POOL_QUEUE. */
  maxQueue?: number;
  /** Per worker V8 heap bound (MiB): a runaway allocation kills that worker, not the process. */
  maxHeapMb?: number;
  /** Data every worker gets once at start (`workerData.init`), e.g. limits. */
  init?: unknown;
  /** Run the threads at BACKGROUND_NICE (below the event loop) where the OS lets a thread lower its own priority (Linux). */
  background?: boolean;
}

export interface RunOptions {
  signal?: AbortSignal;
  /** Milliseconds from the call until the work is cut. */
  deadlineMs?: number;
}

/** Waiting calls past which a pool answers BUSY: small things (a request each), and each still expires at its deadline. */
export const DEFAULT_POOL_QUEUE = 256;

/** The nice value of a background pool's threads (os.constants.priority.PRIORITY_BELOW_NORMAL): 10 gets about a tenth of a core that a nice-0 thread also wants. */
export const BACKGROUND_NICE = 10;

export function defaultPoolSize(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface Job {
  id: number;
  task: string;
  input: unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cleanup: () => void;
  slot: Slot | null;
  done: boolean;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  /** Set once the pool itself terminates this worker (deadline, abort, close). */
  retired: boolean;
}

/**
 * Worker threads run JavaScript: compiled, the thread entry is a .js file; under
 * ts-jest (no compiled output) the entry and the task module are TypeScript,
 * so the thread first teaches `require` to transpile .ts (isolated modules:
 * syntax only, which the project's tsconfig already demands).
 */
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
if (workerData.typescript) {
  const ts = require(workerData.typescript);
  const fs = require('node:fs');
  require.extensions['.ts'] = (module, filename) => {
    const out = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
      fileName: filename,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, sourceMap: false },
    });
    module._compile(out.outputText, filename);
  };
}
require(workerData.entry);
`;

export class WorkerPool {
  readonly size: number;
  readonly maxQueue: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  /** Counts for tests and metrics: workers started and terminated by the pool, calls finished. */
  readonly stats = { workersStarted: 0, workersTerminated: 0, completed: 0, failed: 0, refusedBusy: 0 };

  constructor(private readonly options: WorkerPoolOptions) {
    this.size = Math.max(1, Math.floor(options.size ?? defaultPoolSize()));
    this.maxQueue = Math.max(0, Math.floor(options.maxQueue ?? DEFAULT_POOL_QUEUE));
  }

  /** Calls waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  /** Calls running now. */
  get running(): number {
    return this.slots.filter((s) => s.job !== null).length;
  }

  run<T>(task: string, input: unknown, options: RunOptions = {}): Promise<T> {
    if (this.closed) return Promise.reject(new WorkerPoolError('POOL_CLOSED', 'the worker pool is closed'));
    const { signal, deadlineMs } = options;
    if (signal?.aborted) return Promise.reject(new WorkerPoolError('CANCELLED', `${task} was cancelled before it started: the request was aborted`));
    const idle = this.idleSlot();
    if (!idle && this.queue.length >= this.maxQueue) {
      this.stats.refusedBusy++;
      return Promise.reject(new WorkerPoolError('BUSY', `all ${this.size} workers are busy and ${this.queue.length} calls are waiting; try again shortly`));
    }
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => this.cut(job, new WorkerPoolError('CANCELLED', `${task} was cancelled: the request was aborted`));
      const job: Job = {
        id: this.nextId++,
        task,
        input,
        resolve: resolve as (v: unknown) => void,
        reject,
        slot: null,
        done: false,
        cleanup: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (deadlineMs !== undefined) {
        timer = setTimeout(() => this.cut(job, new WorkerPoolError('DEADLINE', `${task} was stopped: it ran past its deadline of ${deadlineMs} ms`)), deadlineMs);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      if (idle) this.dispatch(idle, job);
      else this.queue.push(job);
    });
  }

  /**
   * Starts every worker and runs `task` once on each (e.g. to open files), so
   * that the first calls do not pay for a cold start.
   */
  async warmUp(task: string, input: unknown): Promise<void> {
    if (this.closed) throw new WorkerPoolError('POOL_CLOSED', 'the worker pool is closed');
    const fresh: Slot[] = [];
    while (this.slots.length < this.size) fresh.push(this.spawn());
    await Promise.all(
      fresh.map(
        (slot) =>
          new Promise<unknown>((resolve, reject) => {
            const job: Job = { id: this.nextId++, task, input, resolve, reject, slot: null, done: false, cleanup: () => undefined };
            this.dispatch(slot, job);
          }),
      ),
    );
  }

  /** Terminates every worker; calls still running or queued reject with POOL_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) this.finish(job, new WorkerPoolError('POOL_CLOSED', 'the worker pool closed before the call ran'));
    await Promise.all(
      this.slots.splice(0).map((slot) => {
        if (slot.job) this.finish(slot.job, new WorkerPoolError('POOL_CLOSED', 'the worker pool closed while the call ran'));
        slot.retired = true;
        return slot.worker.terminate();
      }),
    );
  }

  private idleSlot(): Slot | null {
    const idle = this.slots.find((s) => s.job === null);
    if (idle) return idle;
    if (this.slots.length < this.size) return this.spawn();
    return null;
  }

  private spawn(): Slot {
    const entry = require.resolve('./thread');
    const typescript = entry.endsWith('.ts') ? require.resolve('typescript') : null;
    const worker = new Worker(BOOTSTRAP, {
      eval: true,
      workerData: { entry, typescript, taskModule: this.options.taskModule, init: this.options.init ?? null, nice: this.options.background ? BACKGROUND_NICE : null },
      resourceLimits: this.options.maxHeapMb ? { maxOldGenerationSizeMb: this.options.maxHeapMb } : undefined,
    });
    // An idle worker does not keep the process alive.
    worker.unref();
    const slot: Slot = { worker, job: null, retired: false };
    this.stats.workersStarted++;
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: { message: string; code: string | null; clone?: boolean } }) => {
      const job = slot.job;
      if (!job || job.id !== msg.id) return;
      slot.job = null;
      if (msg.ok) this.finish(job, null, msg.value);
      else if (msg.error?.clone) this.finish(job, new WorkerPoolError('NOT_CLONABLE', `${job.task}: ${msg.error.message}`));
      else this.finish(job, new WorkerPoolError('TASK_FAILED', msg.error?.message ?? `${job.task} failed`, msg.error?.code ?? null));
      this.next(slot);
    });
    const died = (why: string) => {
      if (slot.retired) return;
      slot.retired = true;
      this.remove(slot);
      if (slot.job) this.finish(slot.job, new WorkerPoolError('WORKER_FAILED', `the worker running ${slot.job.task} died: ${why}`));
      slot.job = null;
      this.refill();
    };
    worker.on('error', (e) => died(e.message));
    worker.on('exit', (code) => died(`it exited with code ${code}`));
    this.slots.push(slot);
    return slot;
  }

  private dispatch(slot: Slot, job: Job): void {
    slot.job = job;
    job.slot = slot;
    slot.worker.ref();
    try {
      slot.worker.postMessage({ id: job.id, task: job.task, input: job.input });
    } catch (e) {
      slot.job = null;
      job.slot = null;
      this.finish(job, new WorkerPoolError('NOT_CLONABLE', `the input of ${job.task} is not plain data: ${(e as Error).message}`));
      this.next(slot);
    }
  }

  private next(slot: Slot): void {
    const job = this.queue.shift();
    if (job) this.dispatch(slot, job);
    else slot.worker.unref();
  }

  /** Stops a call: out of the queue, or its worker terminated and replaced. */
  private cut(job: Job, error: WorkerPoolError): void {
    if (job.done) return;
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    const slot = job.slot;
    this.finish(job, error);
    if (slot && slot.job === job) {
      slot.retired = true;
      slot.job = null;
      this.remove(slot);
      this.stats.workersTerminated++;
      void slot.worker.terminate();
      this.refill();
    }
  }

  private remove(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
  }

  /** Queued calls get the place of a worker that is gone. */
  private refill(): void {
    if (this.closed) return;
    while (this.queue.length > 0 && this.slots.length < this.size) this.dispatch(this.spawn(), this.queue.shift()!);
  }

  private finish(job: Job, error: Error | null, value?: unknown): void {
    if (job.done) return;
    job.done = true;
    job.cleanup();
    if (error) {
      this.stats.failed++;
      job.reject(error);
    } else {
      this.stats.completed++;
      job.resolve(value);
    }
  }
}
