/**
 * The size of the next eth_getLogs block range. Nodes refuse ranges that are
 * too wide or answers that are too large, each in its own words; the range
 * shrinks tenfold when refused (as graph-node does) and doubles while answers
 * stay sparse, never again reaching a width the node refused as too wide.
 */

/** How a node says a range was too much: too many blocks, or too many results. */
export type RangeRefusal = 'blocks' | 'results';

/** Messages (lowercased substrings) nodes and providers use when refusing an eth_getLogs range. */
const TOO_MANY_RESULTS = [
  'query returned more than', // Infura, geth-likes (-32005)
  'log response size exceeded', // Alchemy
  'response size exceeded',
  'response is too big',
  'too many logs',
  'too many results',
  'logs limit',
  'limit exceeded',
  'query timeout exceeded',
  'statement timeout',
];
const RANGE_TOO_WIDE = [
  'block range', // "block range too large", "exceed maximum block range", "block range is too wide"
  'range too large',
  'range is too large',
  'try with this block range', // zkSync era
  'too many blocks',
  'maximum block range',
  'range limit',
  'blocks range',
  'ranges over',
];

export function classifyRefusal(message: string, code: number | null): RangeRefusal | null {
  const m = message.toLowerCase();
  // A rate limit is not about the range: the client retries it.
  if (m.includes('rate limit') || m.includes('too many requests')) return null;
  if (RANGE_TOO_WIDE.some((f) => m.includes(f))) return 'blocks';
  if (TOO_MANY_RESULTS.some((f) => m.includes(f))) return 'results';
  if (code === -32005) return 'results';
  return null;
}

/** A node's own suggestion, e.g. "Try with this block range [0x1, 0x2a]". */
export function suggestedRange(message: string): { from: number; to: number } | null {
  const m = /\[\s*(0x[0-9a-f]+|\d+)\s*,\s*(0x[0-9a-f]+|\d+)\s*\]/i.exec(message);
  if (!m) return null;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && to >= from ? { from, to } : null;
}

export interface RangeSizerOptions {
  initial?: number;
  max?: number;
  /** Logs per answer under which the next range doubles. */
  sparseLogs?: number;
}

export class LogRangeSizer {
  /** Blocks in the next range. */
  size: number;
  /** Widest range the node has not refused as too wide. */
  private ceiling: number;
  private readonly sparseLogs: number;

  constructor(options: RangeSizerOptions = {}) {
    this.ceiling = Math.max(1, options.max ?? 10_000);
    this.size = Math.min(this.ceiling, Math.max(1, options.initial ?? 100));
    this.sparseLogs = options.sparseLogs ?? 1_000;
  }

  /** An answer for `blocks` blocks with `logs` logs: grow if sparse. */
  answered(blocks: number, logs: number): void {
    if (blocks >= this.size && logs < this.sparseLogs) this.size = Math.min(this.ceiling, this.size * 2);
    else if (logs > this.sparseLogs * 4) this.size = Math.max(1, Math.floor(this.size / 2));
  }

  /**
   * The node refused `blocks` blocks. Returns false when nothing smaller is
   * possible (a single block refused): the caller must fail.
   */
  refused(blocks: number, kind: RangeRefusal, suggestion: number | null): boolean {
    if (blocks <= 1) return false;
    const next = suggestion !== null && suggestion < blocks ? suggestion : Math.max(1, Math.floor(blocks / 10));
    if (kind === 'blocks') this.ceiling = Math.max(1, Math.min(this.ceiling, blocks - 1, suggestion ?? blocks - 1));
    this.size = Math.min(this.ceiling, next);
    return true;
  }
}
