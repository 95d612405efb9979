/**
 * Deployment heads: what a live consumer (subscriptions, alerts) is told each
 * time a deployment indexes a new block. A follower produces them directly;
 * without one, `PollingHeadFeed` asks each source's `_meta` at an interval, so
 * the same works against any graph-node and against embedded stores that
 * another process writes.
 */
import { postGraphQL, type HttpOptions } from './http';
import { sourceKey, type SourceDefinition } from './registry';

export interface DeploymentHead {
  protocol: string;
  network: string;
  number: number;
  hash: string;
  timestamp: number | null;
}

export interface HeadFeed {
  /** Calls `listener` with every new head; returns the unsubscribe. */
  subscribe(listener: (head: DeploymentHead) => void): () => void;
}

export interface PollingHeadFeedOptions {
  /** Milliseconds between two polls of one source. */
  intervalMs: number;
  http: HttpOptions;
  /** A poll that fails (source down, no block yet); the feed goes on polling. */
  onError?: (source: SourceDefinition, error: Error) => void;
}

/**
 * Polls every source's `_meta { block }` (one request in flight per source,
 * each bounded by the HTTP timeout) and emits a head whenever its hash
 * changes. Polling runs only while someone listens.
 */
export class PollingHeadFeed implements HeadFeed {
  private readonly listeners = new Set<(head: DeploymentHead) => void>();
  private readonly last = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly sources: () => readonly SourceDefinition[],
    private readonly options: PollingHeadFeedOptions,
  ) {}

  subscribe(listener: (head: DeploymentHead) => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.options.intervalMs);
      this.timer.unref();
      void this.poll();
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  /** One round over every source; a round still running when the next is due is not doubled. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await Promise.all(this.sources().map((s) => this.pollOne(s)));
    } finally {
      this.polling = false;
    }
  }

  private async pollOne(source: SourceDefinition): Promise<void> {
    try {
      const answer = await postGraphQL(source, '{ _meta { block { number hash timestamp } } }', this.options.http, this.abort.signal);
      const block = (answer.data?._meta as { block?: { number: number; hash: string | null; timestamp: number | null } } | undefined)?.block;
      if (answer.errors?.length || !block) throw new Error(answer.errors?.map((e) => e.message).join('; ') || 'no indexed block yet');
      if (!block.hash) return; // graph-node always reports the head's hash; without one there is nothing to pin by
      const key = sourceKey(source);
      if (this.last.get(key) === block.hash) return;
      this.last.set(key, block.hash);
      const head: DeploymentHead = { protocol: source.protocol, network: source.network, number: block.number, hash: block.hash, timestamp: block.timestamp ?? null };
      for (const l of [...this.listeners]) l(head);
    } catch (e) {
      if (!this.abort.signal.aborted) this.options.onError?.(source, e as Error);
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.listeners.clear();
    this.abort.abort();
  }
}
