/**
 * The worker pool with a task module written for the test: results, the
 * deadline and the abort signal really stop the work (the worker is replaced),
 * the bounded queue refuses past its size, failures carry codes, and the main
 * event loop keeps answering (/health) while a worker spins.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getPriority } from 'node:os';
import { BACKGROUND_NICE, WorkerPool, WorkerPoolError, defaultPoolSize } from '../../server/workers/pool';

const TASKS = require.resolve('./tasks');

const pools: WorkerPool[] = [];
function pool(options: { size?: number; maxQueue?: number; init?: unknown; background?: boolean } = {}): WorkerPool {
  const p = new WorkerPool({ taskModule: TASKS, ...options });
  pools.push(p);
  return p;
}
afterAll(async () => {
  for (const p of pools) await p.close();
});

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(WorkerPoolError);
    return (e as WorkerPoolError).code;
  }
  throw new Error('the call resolved; it was expected to reject');
}

test('runs an exported task with plain-data input and result', async () => {
  const p = pool({ size: 1 });
  await expect(p.run('busySum', { n: 1000 })).resolves.toBe(499500);
  await expect(p.run('init', null)).resolves.toBeNull();
  expect(p.stats.workersStarted).toBe(1);
});

test('the default size is cores - 1, at least 1', () => {
  expect(defaultPoolSize()).toBeGreaterThanOrEqual(1);
  expect(new WorkerPool({ taskModule: TASKS }).size).toBe(defaultPoolSize());
});

test('a deadline stops a task that never ends, and the pool goes on with a fresh worker', async () => {
  const p = pool({ size: 1 });
  const before = await p.run<number>('threadId', null);
  expect(await codeOf(p.run('spinForever', null, { deadlineMs: 50 }))).toBe('DEADLINE');
  expect(p.stats.workersTerminated).toBe(1);
  const after = await p.run<number>('threadId', null);
  expect(after).not.toBe(before);
  await expect(p.run('busySum', { n: 10 })).resolves.toBe(45);
});

test('an aborted signal (the client went away) stops the running task', async () => {
  const p = pool({ size: 1 });
  const controller = new AbortController();
  const running = p.run('spinForever', null, { signal: controller.signal });
  // Abort once the call is on a worker.
  while (p.running === 0) await new Promise((ok) => setImmediate(ok));
  controller.abort();
  expect(await codeOf(running)).toBe('CANCELLED');
  expect(p.stats.workersTerminated).toBe(1);
  await expect(p.run('busySum', { n: 4 })).resolves.toBe(6);
  // Already aborted: never starts.
  expect(await codeOf(p.run('busySum', { n: 4 }, { signal: controller.signal }))).toBe('CANCELLED');
});

test('past N waiting calls, further ones are refused with BUSY; queued ones run once a worker frees', async () => {
  const p = pool({ size: 1, maxQueue: 2 });
  const controller = new AbortController();
  const blocker = p.run('waitForever', null, { signal: controller.signal });
  const queued = [p.run('busySum', { n: 3 }), p.run('busySum', { n: 5 })];
  expect(p.queued).toBe(2);
  expect(await codeOf(p.run('busySum', { n: 1 }))).toBe('BUSY');
  expect(p.stats.refusedBusy).toBe(1);
  controller.abort();
  expect(await codeOf(blocker)).toBe('CANCELLED');
  await expect(Promise.all(queued)).resolves.toEqual([3, 10]);
});

test('a queued call whose deadline passes is dropped without running', async () => {
  const p = pool({ size: 1, maxQueue: 5 });
  const controller = new AbortController();
  const blocker = p.run('waitForever', null, { signal: controller.signal });
  expect(await codeOf(p.run('busySum', { n: 3 }, { deadlineMs: 20 }))).toBe('DEADLINE');
  expect(p.stats.workersTerminated).toBe(0);
  controller.abort();
  await codeOf(blocker);
});

test('task errors keep their message and code; results that are not plain data are refused', async () => {
  const p = pool({ size: 1 });
  const failure = await p.run('failWithCode', { message: 'paths must be at most 100000', code: 'BAD_USER_INPUT' }).catch((e) => e);
  expect(failure).toMatchObject({ code: 'TASK_FAILED', taskCode: 'BAD_USER_INPUT', message: 'paths must be at most 100000' });
  expect(await codeOf(p.run('nope', null))).toBe('TASK_FAILED');
  expect(await codeOf(p.run('notClonable', null))).toBe('NOT_CLONABLE');
  expect(await codeOf(p.run('busySum', { n: () => 1 }))).toBe('NOT_CLONABLE');
  await expect(p.run('busySum', { n: 3 })).resolves.toBe(3);
});

test('the main event loop answers /health while a worker spins', async () => {
  const p = pool({ size: 1 });
  const server = createServer((_req, res) => res.end('{"status":"ok"}'));
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const controller = new AbortController();
  const spinning = p.run('spinForever', null, { signal: controller.signal });
  try {
    while (p.running === 0) await new Promise((ok) => setImmediate(ok));
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/health`);
      expect(await res.json()).toEqual({ status: 'ok' });
    }
    expect(p.running).toBe(1);
  } finally {
    controller.abort();
    await codeOf(spinning);
    server.close();
  }
});

test('a closed pool refuses calls', async () => {
  const p = new WorkerPool({ taskModule: TASKS, size: 1 });
  await p.run('busySum', { n: 2 });
  await p.close();
  expect(await codeOf(p.run('busySum', { n: 2 }))).toBe('POOL_CLOSED');
});

test('warmUp starts every worker and runs the task once on each', async () => {
  const p = pool({ size: 2 });
  await p.warmUp('busySum', { n: 3 });
  expect(p.stats.workersStarted).toBe(2);
  expect(p.stats.completed).toBe(2);
  const ids = await Promise.all([p.run<number>('threadId', null), p.run<number>('threadId', null)]);
  expect(p.stats.workersStarted).toBe(2);
  expect(ids.every((id) => id > 0)).toBe(true);
});

test('a background pool\'s threads run below the event loop\'s priority, a replaced worker too; other pools keep the process\'s', async () => {
  const own = getPriority();
  const normal = pool({ size: 1 });
  const background = pool({ size: 1, background: true });
  const nice = await background.run<number | null>('ownNice', null);
  if (process.platform === 'linux') {
    expect(own).toBeLessThan(BACKGROUND_NICE);
    expect(nice).toBe(BACKGROUND_NICE);
    expect(await normal.run('ownNice', null)).toBe(own);
    // The main thread keeps its own.
    expect(getPriority()).toBe(own);
    expect(await codeOf(background.run('spinForever', null, { deadlineMs: 50 }))).toBe('DEADLINE');
    expect(await background.run('ownNice', null)).toBe(BACKGROUND_NICE);
    expect(background.stats.workersStarted).toBe(2);
  } else {
    // No per-thread nice value to read: the threads keep the process's priority.
    expect(nice).toBeNull();
  }
});
