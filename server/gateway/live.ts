/**
 * Live figures: each deployment's RatioSnapshot at every new head, and each
 * watched aggregate's after any of its deployments moves, computed once per
 * head and shared by every listener (subscribers and the alert engine).
 *
 * - One owner per figure: the snapshot is the `ratio` answer's own
 *   (resolvers.ts snapshotAtPins), pinned to the head's hash.
 * - Bounded work: one computation per deployment (and per aggregate scope) at
 *   a time; heads that arrive meanwhile are coalesced into one computation at
 *   the newest, and the update says how many were skipped (coalescedHeads).
 * - Nothing is computed, and no head is polled, while nobody listens.
 */
import type { Logger } from 'pino';
import { sourceKey, type BlockPin, type DeploymentHead, type HeadFeed, type SourceDefinition, type Sources } from '../sources';
import type { WorkerPool } from '../workers/pool';
import type { GatewayContext } from './context';
import type { AggregateUpdateParent, RatioUpdateParent, SourceRead } from './parents';
import { snapshotAtPins } from './resolvers';

export interface LiveOptions {
  sources: () => Sources;
  heads: HeadFeed;
  risk: WorkerPool;
  logger: Logger;
  /** Milliseconds one snapshot's reads may take. */
  timeoutMs: number;
}

export interface Scope {
  protocols: readonly string[] | null;
  networks: readonly string[] | null;
}

export function inScope(scope: Scope, s: { protocol: string; network: string }): boolean {
  return (!scope.protocols || scope.protocols.includes(s.protocol)) && (!scope.networks || scope.networks.includes(s.network));
}

export function scopeKey(scope: Scope): string {
  return `${scope.protocols ? [...scope.protocols].sort().join(',') : '*'}|${scope.networks ? [...scope.networks].sort().join(',') : '*'}`;
}

/** One computation at a time; requests made while it runs become one more run at the end (at the newest state). */
class Coalescer {
  private running = false;
  private requests = 0;

  constructor(private readonly work: (coalesced: number) => Promise<void>) {}

  request(): void {
    this.requests++;
    if (!this.running) void this.loop();
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.requests > 0) {
        const n = this.requests;
        this.requests = 0;
        await this.work(n - 1);
      }
    } finally {
      this.running = false;
    }
  }
}

export function pinOfHead(head: DeploymentHead): BlockPin {
  return { number: head.number, hash: head.hash, timestamp: head.timestamp, stale: false, ageMs: 0, hasIndexingErrors: false, deployment: null };
}

interface RatioListener {
  scope: Scope;
  push: (update: RatioUpdateParent) => void;
}

interface AggregateWatch {
  scope: Scope;
  listeners: Set<(update: AggregateUpdateParent) => void>;
  job: Coalescer;
}

export class LiveFigures {
  private readonly latest = new Map<string, DeploymentHead>();
  private readonly deploymentJobs = new Map<string, Coalescer>();
  private readonly ratioListeners = new Set<RatioListener>();
  private readonly aggregates = new Map<string, AggregateWatch>();
  private headListeners = new Set<(head: DeploymentHead) => void>();
  private unsubscribe: (() => void) | null = null;
  private computations = 0;
  private closed = false;

  constructor(private readonly options: LiveOptions) {}

  /** Snapshots computed so far (one per head per deployment or scope, however many listen). */
  get computed(): number {
    return this.computations;
  }

  /** The newest head seen of a deployment, or undefined. */
  head(source: { protocol: string; network: string }): DeploymentHead | undefined {
    return this.latest.get(sourceKey(source));
  }

  sources(): Sources {
    return this.options.sources();
  }

  onRatio(scope: Scope, push: (update: RatioUpdateParent) => void): () => void {
    const l = { scope, push };
    this.ratioListeners.add(l);
    this.listen();
    return () => {
      this.ratioListeners.delete(l);
      this.idle();
    };
  }

  onAggregate(scope: Scope, push: (update: AggregateUpdateParent) => void): () => void {
    const key = scopeKey(scope);
    let watch = this.aggregates.get(key);
    if (!watch) {
      const created: AggregateWatch = { scope, listeners: new Set(), job: new Coalescer((n) => this.computeAggregate(created, n)) };
      watch = created;
      this.aggregates.set(key, watch);
    }
    watch.listeners.add(push);
    this.listen();
    // An aggregate starts from the heads already known, without waiting for the next block.
    if ([...this.latest.values()].some((h) => inScope(scope, h))) watch.job.request();
    return () => {
      watch!.listeners.delete(push);
      if (watch!.listeners.size === 0) this.aggregates.delete(key);
      this.idle();
    };
  }

  /** Every head as it arrives (the alert engine's status checks use the newest hash). */
  onHead(listener: (head: DeploymentHead) => void): () => void {
    this.headListeners.add(listener);
    this.listen();
    return () => {
      this.headListeners.delete(listener);
      this.idle();
    };
  }

  private listen(): void {
    if (this.unsubscribe || this.closed) return;
    this.unsubscribe = this.options.heads.subscribe((head) => this.onNewHead(head));
  }

  private idle(): void {
    if (this.ratioListeners.size === 0 && this.aggregates.size === 0 && this.headListeners.size === 0 && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  private onNewHead(head: DeploymentHead): void {
    const key = sourceKey(head);
    const source = this.options.sources().registry.get(head.protocol, head.network);
    if (!source) return; // a deployment the gateway does not read
    this.latest.set(key, head);
    for (const l of [...this.headListeners]) l(head);
    if ([...this.ratioListeners].some((l) => inScope(l.scope, head))) {
      let job = this.deploymentJobs.get(key);
      if (!job) {
        job = new Coalescer((n) => this.computeDeployment(source, n));
        this.deploymentJobs.set(key, job);
      }
      job.request();
    }
    for (const watch of this.aggregates.values()) if (inScope(watch.scope, head)) watch.job.request();
  }

  private context(): { ctx: GatewayContext; done: () => void } {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new Error(`a live snapshot ran past ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
    return {
      ctx: { sources: this.options.sources().forRequest(abort.signal), sourceErrors: [], signal: abort.signal, requestId: `live-${++this.computations}`, risk: this.options.risk },
      done: () => clearTimeout(timer),
    };
  }

  private async computeDeployment(source: SourceDefinition, coalescedHeads: number): Promise<void> {
    const head = this.latest.get(sourceKey(source));
    if (!head) return;
    const { ctx, done } = this.context();
    try {
      const snapshot = await snapshotAtPins(ctx, source.protocol, source.network, [{ source, pin: pinOfHead(head) }], [], 'all');
      const update: RatioUpdateParent = {
        protocol: source.protocol,
        network: source.network,
        block: { number: head.number, hash: head.hash, timestamp: head.timestamp, deployment: sourceKey(source) },
        snapshot,
        coalescedHeads,
      };
      for (const l of [...this.ratioListeners]) if (inScope(l.scope, source)) l.push(update);
    } catch (e) {
      this.options.logger.warn({ deployment: sourceKey(source), block: head.number, err: e }, 'live snapshot failed; the next head retries');
    } finally {
      done();
    }
  }

  private async computeAggregate(watch: AggregateWatch, coalescedHeads: number): Promise<void> {
    const sources = this.options.sources().registry.select(watch.scope.protocols, watch.scope.networks);
    const reads: SourceRead[] = [];
    const missing: string[] = [];
    for (const s of sources) {
      const head = this.latest.get(sourceKey(s));
      if (head) reads.push({ source: s, pin: pinOfHead(head) });
      else missing.push(sourceKey(s));
    }
    if (reads.length === 0) return;
    const { ctx, done } = this.context();
    try {
      const label = [...new Set(sources.map((s) => s.protocol))].join('+');
      const snapshot = await snapshotAtPins(ctx, label, null, reads, missing, 'all');
      const update: AggregateUpdateParent = {
        blocks: reads.map((r) => ({ number: r.pin.number, hash: r.pin.hash!, timestamp: r.pin.timestamp, deployment: sourceKey(r.source) })),
        snapshot,
        coalescedHeads,
      };
      for (const l of [...watch.listeners]) l(update);
    } catch (e) {
      this.options.logger.warn({ scope: scopeKey(watch.scope), err: e }, 'live aggregate failed; the next head retries');
    } finally {
      done();
    }
  }

  close(): void {
    this.closed = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.ratioListeners.clear();
    this.aggregates.clear();
    this.headListeners.clear();
  }
}
