/**
 * A blocking HTTP POST, for the one place that needs it: a mapping's
 * ethereum.call is a synchronous host import, and graph-node answers it by
 * blocking the handler until the node replies. Node cannot block on a socket,
 * so a worker thread does the request and the caller waits on a shared flag
 * (Atomics.wait), then takes the answer off a message port synchronously.
 *
 * The worker's code is inline JavaScript, so it runs the same from dist/ and
 * under ts-jest.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';

const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { port, flag } = workerData;
const signal = new Int32Array(flag);
port.on('message', async ({ url, body, timeoutMs }) => {
  let answer;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    answer = { status: response.status, text: await response.text() };
  } catch (e) {
    answer = { error: String((e && e.cause && e.cause.code) || (e && e.name === 'TimeoutError' ? 'timeout after ' + timeoutMs + ' ms' : (e && e.message) || e)) };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
`;

export type BridgeAnswer = { status: number; text: string } | { error: string };

export class SyncHttpBridge {
  private worker: Worker | null = null;
  private port: MessagePort | null = null;
  private readonly flag = new Int32Array(new SharedArrayBuffer(4));

  private start(): void {
    const { port1, port2 } = new MessageChannel();
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, flag: this.flag.buffer }, transferList: [port2] });
    // The worker must not keep a finished process alive.
    this.worker.unref();
    port1.unref();
    this.port = port1;
  }

  /** POSTs `body` to `url` and blocks until the answer, a transport error, or the timeout. */
  post(url: string, body: string, timeoutMs: number): BridgeAnswer {
    if (!this.worker) this.start();
    Atomics.store(this.flag, 0, 0);
    this.port!.postMessage({ url, body, timeoutMs });
    // The worker enforces the timeout; the extra second covers a worker that died.
    const woke = Atomics.wait(this.flag, 0, 0, timeoutMs + 1000);
    const received = receiveMessageOnPort(this.port!);
    if (!received) return { error: woke === 'timed-out' ? `no answer within ${timeoutMs} ms` : 'the request worker sent nothing' };
    return received.message as BridgeAnswer;
  }

  close(): void {
    void this.worker?.terminate();
    this.port?.close();
    this.worker = null;
    this.port = null;
  }
}

/** Blocks the thread for `ms` (a retry back-off inside a synchronous call). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
