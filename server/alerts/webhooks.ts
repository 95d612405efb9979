/**
 * Webhook deliveries of alert events: an HTTP POST with the event as a JSON
 * body, signed with HMAC-SHA256 of the body under the webhook's secret, tried
 * again with exponential back-off until the receiver answers 2xx or the
 * attempts run out. Delivered at least once: every attempt of one event
 * carries the same X-Svr-Event-Id, by which the receiver drops duplicates.
 * Owed deliveries live in the alert store (store.ts), so a restart resumes them.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertStore, Delivery } from './store';

export interface WebhookConfig {
  id: string;
  url: string;
  /** The signing secret (read from the environment variable the config names). */
  secret: string;
  /** Only these rules' events; null: every rule's. */
  ruleIds: string[] | null;
  maxAttempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export const WEBHOOK_DEFAULTS = { maxAttempts: 8, initialBackoffMs: 1_000, maxBackoffMs: 300_000, timeoutMs: 5_000 } as const;

export const SIGNATURE_HEADER = 'x-svr-signature';
export const EVENT_ID_HEADER = 'x-svr-event-id';
export const ATTEMPT_HEADER = 'x-svr-delivery-attempt';

/** The signature header's value: `sha256=` and the hex HMAC-SHA256 of the exact body bytes. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A receiver's check (docs/alerts.md shows it standalone): constant-time comparison of the signature it got. */
export function verifySignature(secret: string, body: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signBody(secret, body));
  const got = Buffer.from(header);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** The wait before attempt `attempt + 1` (attempt counts from 1): doubling from initialBackoffMs, at most maxBackoffMs. */
export function backoffMs(config: Pick<WebhookConfig, 'initialBackoffMs' | 'maxBackoffMs'>, attempt: number): number {
  return Math.min(config.maxBackoffMs, config.initialBackoffMs * 2 ** (attempt - 1));
}

export interface DispatcherOptions {
  store: Pick<AlertStore, 'leaseDue' | 'delivered' | 'failed' | 'nextDue'>;
  webhooks: readonly WebhookConfig[];
  /** Deliveries sent at once. */
  concurrency?: number;
  onError?: (delivery: Delivery, error: string) => void;
}

export class WebhookDispatcher {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private again = false;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly byId: Map<string, WebhookConfig>;

  constructor(private readonly options: DispatcherOptions) {
    this.byId = new Map(options.webhooks.map((w) => [w.id, w]));
  }

  /** Looks for due deliveries now (after an event was recorded), and then whenever the next is due. */
  kick(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    void this.round();
  }

  private async round(): Promise<void> {
    this.running = true;
    try {
      do {
        this.again = false;
        const longest = Math.max(WEBHOOK_DEFAULTS.timeoutMs, ...this.options.webhooks.map((w) => w.timeoutMs));
        const due = this.options.store.leaseDue(this.options.concurrency ?? 8, longest + 5_000);
        if (due.length > 0) this.again = true;
        await Promise.all(due.map((d) => this.track(this.send(d))));
      } while (this.again && !this.closed);
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.options.store.nextDue();
    if (next === null) return;
    // At most a second's sleep: a replica sharing the file may have added deliveries.
    this.timer = setTimeout(() => this.kick(), Math.min(1_000, Math.max(0, next - Date.now())));
    this.timer.unref();
  }

  private async send(d: Delivery): Promise<void> {
    const hook = this.byId.get(d.webhookId);
    const attempt = d.attempts + 1;
    if (!hook) {
      this.options.store.failed(d, `no webhook "${d.webhookId}" in the config any more`, null);
      return;
    }
    let error: string;
    try {
      const response = await fetch(hook.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'svr-alerts',
          [EVENT_ID_HEADER]: d.eventId,
          [ATTEMPT_HEADER]: String(attempt),
          [SIGNATURE_HEADER]: signBody(hook.secret, d.body),
        },
        body: d.body,
        signal: AbortSignal.timeout(hook.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) {
        this.options.store.delivered(d);
        return;
      }
      error = `HTTP ${response.status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const last = attempt >= hook.maxAttempts;
    this.options.store.failed(d, error, last ? null : Date.now() + backoffMs(hook, attempt));
    this.options.onError?.(d, last ? `${error}; gave up after ${attempt} attempts` : `${error}; attempt ${attempt} of ${hook.maxAttempts}`);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }
}
