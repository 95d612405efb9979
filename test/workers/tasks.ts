/** Tasks for the worker pool tests: bounded work, work that never ends, failures. */

/** Sums 0..n-1 in a plain loop: CPU work bounded by n. */
export function busySum(input: { n: number }): number {
  let sum = 0;
  for (let i = 0; i < input.n; i++) sum = (sum + i) % 1_000_000_007;
  return sum;
}

/** Never returns: only terminating the worker stops it. */
export function spinForever(): never {
  for (;;) {
    // a busy loop the event loop of this thread never leaves
  }
}

/** Posts nothing until the worker is terminated, without blocking it. */
export function waitForever(): Promise<never> {
  return new Promise(() => setInterval(() => undefined, 1_000_000));
}

export function failWithCode(input: { message: string; code: string }): never {
  throw Object.assign(new Error(input.message), { code: input.code });
}

/** Which thread ran the call, to see that a cut worker was replaced. */
export function threadId(): number {
  return require('node:worker_threads').threadId as number;
}

export function notClonable(): unknown {
  return { f: () => 1 };
}

export function init(_input: unknown, init: unknown): unknown {
  return init;
}

/** The nice value of the thread running the call (Linux: its id from /proc/thread-self), or null where threads have none to read. */
export function ownNice(): number | null {
  const { readlinkSync } = require('node:fs') as typeof import('node:fs');
  const { getPriority } = require('node:os') as typeof import('node:os');
  let tid: number;
  try {
    tid = Number(/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))![1]);
  } catch {
    return null;
  }
  return getPriority(tid);
}
