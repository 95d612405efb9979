/**
 * Shared by the crash tests: runs `svr index` again and again, killing each
 * run with SIGKILL after a seeded delay (the seed makes a failure
 * replayable). Every other run is killed counting from its spawn, which lands
 * in start-up (reading the input, checking the head against the chain) or
 * early indexing; the others once they have committed a block past the last
 * kill's head (watched through a reader connection to the store), so that
 * those kills land across the run however long a loaded machine takes to
 * start Node.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface KillRunsOptions {
  /** node's arguments for one run. */
  args: string[];
  /** The store file the runs write. */
  store: string;
  kills: number;
  seed: number;
  /** Each kill comes this many milliseconds at most after the spawn, or after the run's first new block. */
  maxDelayMs: number;
  /** A bound on a hang (not a timing assertion): a run that commits nothing new for this long fails the test. */
  stallMs?: number;
}

export interface KillRunsResult {
  /** The store's head after each kill. */
  heads: number[];
  /** A run ended on its own (exit 0) before its kill came. */
  finished: boolean;
}

export async function killRuns(options: KillRunsOptions): Promise<KillRunsResult> {
  let seed = options.seed;
  const nextDelay = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % options.maxDelayMs;
  };
  let reader: Database.Database | null = null;
  const readHead = (): number => {
    if (!reader && !existsSync(options.store)) return 0;
    reader ??= new Database(options.store, { fileMustExist: true });
    reader.pragma('busy_timeout = 5000');
    try {
      const row = reader.prepare('SELECT number FROM _svr_head WHERE id = 1').get() as { number: number } | undefined;
      return row?.number ?? 0;
    } catch (e) {
      if (/no such table/.test(String(e))) return 0; // the run is still creating the store
      throw e;
    }
  };
  const closeReader = () => reader?.close();
  const heads: number[] = [];
  try {
    for (let kill = 0; kill < options.kills; kill++) {
      const before = heads[heads.length - 1] ?? readHead();
      const child = spawn(process.execPath, options.args, { stdio: 'ignore' });
      let exited = false;
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => {
          exited = true;
          resolve(code);
        }),
      );
      const deadline = Date.now() + (options.stallMs ?? 120_000);
      while (kill % 2 === 1 && !exited && readHead() <= before) {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`run ${kill + 1} committed nothing past block ${before} in ${options.stallMs ?? 120_000} ms`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), nextDelay());
      const code = await exit;
      clearTimeout(timer);
      if (code === 0) return { heads, finished: true };
      if (code !== null) throw new Error(`run ${kill + 1} failed on its own with exit code ${code}`);
      heads.push(readHead());
    }
    return { heads, finished: false };
  } finally {
    closeReader();
  }
}
