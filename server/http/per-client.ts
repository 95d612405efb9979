/**
 * Per-client bounds: who a request comes from, and how much of a shared
 * resource each client holds at once (the subscriptions' connections, the
 * public reader lane's queries). A client over its bound is refused at once,
 * so one client's flood waits on itself rather than queueing everyone's work.
 */
import type { IncomingMessage } from 'node:http';

/** The client a request comes from: its peer address, or the first X-Forwarded-For address behind a proxy that sets it. */
export function clientOf(req: IncomingMessage, trustForwardedFor: boolean): string {
  const forwarded = trustForwardedFor ? String(req.headers['x-forwarded-for'] ?? '').split(',')[0]?.trim() : '';
  return forwarded || req.socket.remoteAddress || 'unknown';
}

/**
 * What each client holds now, at most `max` each. A client holding nothing
 * has no entry, so the map is bounded by what is in flight, not by how many
 * clients have ever come.
 */
export class PerClientLimit {
  private readonly held = new Map<string, number>();
  /** Acquisitions refused since start (the client held `max`). */
  refused = 0;

  constructor(readonly max: number) {}

  /** Takes one for `client`: the function that gives it back (once, however often it is called), or null when the client holds `max`. */
  acquire(client: string): (() => void) | null {
    const n = this.held.get(client) ?? 0;
    if (n >= this.max) {
      this.refused++;
      return null;
    }
    this.held.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(client) ?? 1) - 1;
      if (left <= 0) this.held.delete(client);
      else this.held.set(client, left);
    };
  }

  /** What `client` holds now. */
  holding(client: string): number {
    return this.held.get(client) ?? 0;
  }

  /** Clients holding anything now. */
  get clients(): number {
    return this.held.size;
  }
}

export interface ClientRateOptions {
  /** Requests per second a client may keep up (0: no bound). */
  requestsPerSecond: number;
  /** Requests a client may send at once, beyond its rate, without waiting. */
  burst: number;
  /** Longest a request beyond that is held to bring its client back to its rate; past it the client is answered 429. */
  maxDelayMs: number;
}

/** What PerClientRate decides for one request: go now, go after `waitMs`, or refuse with a Retry-After. */
export type RateDecision = { waitMs: number } | { retryAfterSeconds: number };

/**
 * Each client's request rate (the generic cell rate algorithm, the leaky bucket
 * nginx's limit_req uses): up to `burst` requests at once pass, past that a
 * request is held until its client is back at `requestsPerSecond`, and one that
 * would be held longer than `maxDelayMs` is refused. A client sending as fast
 * as it is answered then costs the event loop `requestsPerSecond` requests'
 * work, however fast it sends; its held requests wait on a timer, not in the
 * queue everyone's work goes through. A client is kept only while it is ahead
 * of its rate.
 */
export class PerClientRate {
  /** Per client, when its next request would be on time (the theoretical arrival time, ms). */
  private readonly due = new Map<string, number>();
  private readonly intervalMs: number;
  private readonly toleranceMs: number;
  private decisions = 0;
  readonly stats = { delayed: 0, refused: 0 };

  constructor(
    readonly options: ClientRateOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.intervalMs = options.requestsPerSecond > 0 ? 1000 / options.requestsPerSecond : 0;
    this.toleranceMs = Math.max(0, options.burst - 1) * this.intervalMs;
  }

  decide(client: string): RateDecision {
    if (this.intervalMs === 0) return { waitMs: 0 };
    const now = this.now();
    if (++this.decisions % 1024 === 0) this.forgetIdle(now);
    const due = Math.max(this.due.get(client) ?? now, now);
    const waitMs = due - now - this.toleranceMs;
    if (waitMs > this.options.maxDelayMs) {
      this.stats.refused++;
      return { retryAfterSeconds: Math.max(1, Math.ceil((waitMs - this.options.maxDelayMs) / 1000)) };
    }
    this.due.set(client, due + this.intervalMs);
    if (waitMs <= 0) return { waitMs: 0 };
    this.stats.delayed++;
    return { waitMs };
  }

  /** Clients ahead of their rate now (the ones the limiter remembers). */
  get clients(): number {
    this.forgetIdle(this.now());
    return this.due.size;
  }

  private forgetIdle(now: number): void {
    for (const [client, due] of this.due) if (due <= now) this.due.delete(client);
  }
}
