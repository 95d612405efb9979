/** A graphql-ws client (the `graphql-ws` package's own, on `ws`) that collects a subscription's events, for the live tests. */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

/** The ceiling on any wait: generous, and a failure names what did not come. */
export const WAIT_MS = 60_000;

export class Subscriber {
  readonly events: any[] = [];
  readonly errors: unknown[] = [];
  private waiters: Array<() => void> = [];
  private readonly dispose: () => void;
  completed = false;

  constructor(
    readonly client: Client,
    query: string,
    variables?: Record<string, unknown>,
  ) {
    this.dispose = client.subscribe(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) this.errors.push(value.errors);
          else this.events.push(value.data);
          this.wake();
        },
        error: (e) => {
          this.errors.push(e);
          this.wake();
        },
        complete: () => {
          this.completed = true;
          this.wake();
        },
      },
    );
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** The first event (from the start) for which `test` holds; fails after WAIT_MS naming `what`. */
  async next(what: string, test: (e: any) => boolean): Promise<any> {
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const found = this.events.find(test);
      if (found) return found;
      if (this.errors.length) throw new Error(`waiting for ${what}, the subscription failed: ${JSON.stringify(this.errors)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${WAIT_MS} ms; events so far: ${JSON.stringify(this.events)}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, Math.min(left, 1_000));
        this.waiters.push(() => (clearTimeout(t), ok()));
      });
    }
  }

  /** Resolves once the subscription ended with an error (or fails after WAIT_MS). */
  async failure(what: string): Promise<unknown> {
    const deadline = Date.now() + WAIT_MS;
    while (!this.errors.length) {
      if (Date.now() > deadline) throw new Error(`expected ${what}; got events ${JSON.stringify(this.events)}`);
      await new Promise<void>((ok) => {
        const t = setTimeout(ok, 1_000);
        this.waiters.push(() => (clearTimeout(t), ok()));
      });
    }
    return this.errors[0];
  }

  stop(): void {
    this.dispose();
  }
}

export function wsClient(httpUrl: string): Client {
  return createClient({ url: `${httpUrl.replace(/^http/, 'ws')}/graphql`, webSocketImpl: WebSocket, retryAttempts: 0, lazy: true });
}

/** Waits for `test` to hold, checking every 20 ms; fails after WAIT_MS naming `what`. */
export async function until(what: string, test: () => boolean): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${WAIT_MS} ms`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}
