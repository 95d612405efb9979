/** A webhook receiver on loopback for the alert tests: records every attempt; answers 500 to the first `failFirst` attempts of each event id, then 200. */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';

export interface Attempt {
  eventId: string;
  attempt: number;
  signature: string;
  body: string;
  status: number;
}

export class WebhookReceiver {
  readonly attempts: Attempt[] = [];
  private server!: Server;
  url = '';

  constructor(
    private readonly secret: string,
    private readonly failFirst = 0,
  ) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const eventId = String(req.headers['x-svr-event-id'] ?? '');
        const seen = this.attempts.filter((a) => a.eventId === eventId).length;
        const status = seen < this.failFirst ? 500 : 200;
        this.attempts.push({ eventId, attempt: Number(req.headers['x-svr-delivery-attempt']), signature: String(req.headers['x-svr-signature'] ?? ''), body: Buffer.concat(chunks).toString('utf8'), status });
        res.writeHead(status, { 'content-type': 'text/plain' });
        res.end(status === 200 ? 'ok' : 'try again');
      });
    });
    await new Promise<void>((ok) => this.server.listen(0, '127.0.0.1', () => ok()));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
    return this;
  }

  /** The receiver's own check, written out here rather than taken from svr: HMAC-SHA256 of the raw body, hex, after "sha256=". */
  validSignature(a: Attempt): boolean {
    return a.signature === `sha256=${createHmac('sha256', this.secret).update(a.body).digest('hex')}`;
  }

  /** Deliveries after dropping duplicates by event id, as a receiver should: the 2xx ones. */
  delivered(): Attempt[] {
    const byId = new Map<string, Attempt>();
    for (const a of this.attempts) if (a.status === 200 && !byId.has(a.eventId)) byId.set(a.eventId, a);
    return [...byId.values()];
  }

  async until(what: string, test: () => boolean, ceilingMs = 60_000): Promise<void> {
    const deadline = Date.now() + ceilingMs;
    while (!test()) {
      if (Date.now() > deadline) throw new Error(`the webhook receiver saw no ${what} within ${ceilingMs} ms; attempts: ${JSON.stringify(this.attempts.map((a) => ({ id: a.eventId, n: a.attempt, status: a.status })))}`);
      await new Promise((ok) => setTimeout(ok, 20));
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((ok) => this.server.close(() => ok()));
  }
}
