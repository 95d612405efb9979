/**
 * The body of one pool worker (server/workers/pool.ts): loads the task module
 * once, then runs one call at a time and posts back its result or its error.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';

type Task = (input: unknown, init: unknown) => unknown;

const { taskModule, init, nice } = workerData as { taskModule: string; init: unknown; nice: number | null };

/** This thread's id in the OS (Linux: /proc/thread-self is task/<tid>), or null where there is none to read. */
function osThreadId(): number | null {
  try {
    const m = /task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

// Linux keeps a nice value per thread, and setpriority on a thread id sets only that thread's (threads it starts later inherit it).
// Elsewhere the pool's threads keep the process's priority.
const tid = nice === null ? null : osThreadId();
if (tid !== null && nice !== null) {
  try {
    setPriority(tid, nice);
  } catch {
    // not permitted here: the thread keeps the process's priority
  }
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tasks = require(taskModule) as Record<string, unknown>;

parentPort!.on('message', async (msg: { id: number; task: string; input: unknown }) => {
  let value: unknown;
  try {
    const task = tasks[msg.task];
    if (typeof task !== 'function') throw Object.assign(new Error(`the task module has no task ${msg.task}`), { code: 'UNKNOWN_TASK' });
    value = await (task as Task)(msg.input, init);
  } catch (e) {
    const error = e as Error & { code?: unknown };
    parentPort!.postMessage({ id: msg.id, ok: false, error: { message: error?.message ?? String(e), code: typeof error?.code === 'string' ? error.code : null } });
    return;
  }
  try {
    parentPort!.postMessage({ id: msg.id, ok: true, value });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, ok: false, error: { message: `the result is not plain data: ${(e as Error).message}`, code: null, clone: true } });
  }
});
