/**
 * One followed deployment, in a process of its own (forked by
 * ./supervisor.ts): indexes it from its chain's node up to the head and
 * follows it (./index-rpc.ts), telling the parent over IPC of every committed
 * block, retry and reorg. A crash here (a mapping's host, a node that keeps
 * failing, SIGKILL) ends only this process; the supervisor restarts it.
 *
 * "stop" from the parent, SIGTERM or SIGINT: stops after the current block,
 * with the store flushed, and exits 0.
 */
import { indexRpc, type CommittedHead, type RpcIndexEvent } from './index-rpc';

export interface FollowerStart {
  type: 'start';
  manifestPath: string;
  subgraph: string;
  network: string;
  dataDir: string;
  rpcUrl: string;
  from?: number;
  finalityDepth?: number;
  pollIntervalMs: number;
  callsPerSecond: number;
}

/** What a follower tells its parent. */
export type FollowerMessage =
  | { type: 'ready' }
  | { type: 'commit'; head: CommittedHead }
  | { type: 'progress'; block: number; chainHead: number; events: number }
  | { type: 'event'; event: RpcIndexEvent }
  | { type: 'done'; head: number | null }
  | { type: 'fatal'; message: string; code: string | null };

function send(message: FollowerMessage): void {
  process.send?.(message);
}

async function follow(start: FollowerStart, signal: AbortSignal): Promise<void> {
  let lastProgress = 0;
  const summary = await indexRpc({
    manifestPath: start.manifestPath,
    subgraph: start.subgraph,
    dataDir: start.dataDir,
    rpcUrl: start.rpcUrl,
    from: start.from,
    follow: true,
    finalityDepth: start.finalityDepth,
    pollIntervalMs: start.pollIntervalMs,
    client: { callsPerSecond: start.callsPerSecond },
    signal,
    onReady: () => send({ type: 'ready' }),
    onCommit: (head) => send({ type: 'commit', head }),
    // History runs commit in large steps; the parent still hears how far it got, at most every 500 ms.
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastProgress < 500) return;
      lastProgress = now;
      send({ type: 'progress', block: p.block, chainHead: p.chainHead ?? p.block, events: p.events });
    },
    onEvent: (event) => send({ type: 'event', event }),
  });
  send({ type: 'done', head: summary.head });
}

/** The child's main: waits for "start", follows, exits. */
export function runFollowerProcess(): void {
  const stop = new AbortController();
  process.on('SIGTERM', () => stop.abort());
  process.on('SIGINT', () => stop.abort());
  process.on('message', (m: FollowerStart | { type: 'stop' }) => {
    if (m.type === 'stop') {
      stop.abort();
      return;
    }
    if (m.type !== 'start') return;
    follow(m, stop.signal).then(
      () => {
        process.disconnect?.();
        process.exitCode = 0;
      },
      (e: Error & { code?: string }) => {
        send({ type: 'fatal', message: e.message, code: typeof e.code === 'string' ? e.code : null });
        process.stderr.write(`svr follower ${m.subgraph}/${m.network}: ${e.stack ?? e.message}\n`);
        // Exits after the message is written (process.send is asynchronous).
        setImmediate(() => process.exit(1));
      },
    );
  });
  // The parent went away (it crashed or was SIGKILLed): stop as on SIGTERM rather than index unobserved.
  process.on('disconnect', () => stop.abort());
}

if (require.main === module) runFollowerProcess();
