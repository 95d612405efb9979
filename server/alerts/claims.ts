/**
 * Crossing claims: with several gateway replicas, each sees the same crossing
 * (rule, transition, scope, block hash); the one that claims it in Redis
 * (SET NX with an expiry) records its webhook deliveries, the others only
 * tell their own subscribers. Without Redis the claim is this process's; with
 * a Redis that does not answer, the replica claims for itself (at least once:
 * receivers drop the duplicate by its event id).
 */
import { createClient } from '@redis/client';

export interface CrossingClaims {
  /** True when this replica owns the crossing. */
  claim(crossingId: string): Promise<boolean>;
  close(): Promise<void>;
}

/** How long a claim is kept: past any replica's lag behind another (a week). */
export const CLAIM_TTL_SECONDS = 7 * 24 * 3600;

export class LocalClaims implements CrossingClaims {
  private readonly seen = new Set<string>();
  async claim(id: string): Promise<boolean> {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    if (this.seen.size > 100_000) this.seen.delete(this.seen.values().next().value!);
    return true;
  }
  async close(): Promise<void> {}
}

export class RedisClaims implements CrossingClaims {
  private readonly client: ReturnType<typeof createClient>;
  private readonly ready: Promise<unknown>;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly onError: (e: Error) => void,
  ) {
    this.client = createClient({ url, socket: { connectTimeout: 2_000, reconnectStrategy: (n) => Math.min(2_000, 50 * 2 ** n) } });
    this.client.on('error', (e: Error) => onError(e));
    this.ready = this.client.connect().catch((e: Error) => onError(e));
  }

  async claim(id: string): Promise<boolean> {
    try {
      await this.ready;
      const answer = await Promise.race([
        this.client.set(`${this.prefix}alert-crossing:${id}`, String(process.pid), { NX: true, EX: CLAIM_TTL_SECONDS }),
        new Promise<never>((_, fail) => setTimeout(() => fail(new Error('Redis did not answer the claim within 2 s')), 2_000).unref()),
      ]);
      return answer === 'OK';
    } catch (e) {
      this.onError(e as Error);
      return true;
    }
  }

  async close(): Promise<void> {
    try {
      if (this.client.isOpen) await this.client.quit();
    } catch {
      // closing a client that never connected
    }
  }
}
