/**
 * The body of one pool worker (server/workers/pool.ts): loads the task module
 * once, then runs one call at a time and posts back its result or its error.
 */
import { parentPort, workerData } from 'node:worker_threads';

type Task = (input: unknown, init: unknown) => unknown;

const { taskModule, init } = workerData as { taskModule: string; init: unknown };
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
