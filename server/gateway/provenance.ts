/**
 * Provenance of every figure-bearing answer (ratios, history points, risk
 * answers, alert events), and the checks every replay makes (replay.ts
 * dispatches a record to the code that recomputes its kind of answer).
 *
 * A record names what an answer was computed from: the methodology version
 * (server/risk/methodology.ts), the query and its parameters, and for every
 * source read the deployment id, block number, block hash and timestamp. Its
 * digest is the sha256 of the record's canonical JSON (keys sorted, no
 * spaces), so two answers with one digest are one computation. Replay reads
 * the same sources pinned to the same blocks (by hash, so a block
 * reorganised away is found out, not silently replaced) and builds the answer
 * with the same code; any difference it cannot rule out is a coded error.
 */
import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { METHODOLOGY_VERSION } from '../risk';
import { SourceError, type BlockPin } from '../sources';
import type { GatewayContext } from './context';
import type { Resolvers } from './generated/resolvers-types';
import type { RatioSnapshotParent, SourceRead } from './parents';

/** Methodology versions replay can compute: only the current one (older definitions are not kept in the code). */
export const REPLAYABLE_METHODOLOGY_VERSIONS: readonly number[] = [METHODOLOGY_VERSION];

/** A record longer than this is refused before parsing (a record of every deployment is a few kilobytes). */
export const MAX_RECORD_CHARS = 65_536;

export interface ReadRecord {
  protocol: string;
  network: string;
  /** The subgraph deployment id the source served; null when the source does not report one. */
  deployment: string | null;
  blockNumber: number;
  /** Null when the answer was pinned by block number (graph-node then does not report the hash). */
  blockHash: string | null;
  timestamp: number | null;
}

export interface ProvenanceRecord {
  methodologyVersion: number;
  /** The kind of answer: `ratio` for every RatioSnapshot (ratio, ratios, aggregate, Protocol.ratio, Deployment.ratio); else the query's name. */
  query: string;
  /** What shapes the answer besides the reads: arguments with their defaults filled in, and what the answer had to leave out. */
  parameters: Record<string, unknown>;
  reads: ReadRecord[];
}

/** JSON with object keys sorted at every depth and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function digestOf(record: ProvenanceRecord): string {
  return createHash('sha256').update(canonicalJson(record)).digest('hex');
}

function readRecord(r: SourceRead): ReadRecord {
  return { protocol: r.source.protocol, network: r.source.network, deployment: r.pin.deployment, blockNumber: r.pin.number, blockHash: r.pin.hash, timestamp: r.pin.timestamp };
}

function recordOf(query: string, parameters: Record<string, unknown>, reads: readonly SourceRead[]): ProvenanceRecord {
  return { methodologyVersion: METHODOLOGY_VERSION, query, parameters, reads: reads.map(readRecord).sort((a, b) => (sourceKeyOf(a) < sourceKeyOf(b) ? -1 : 1)) };
}

/** The Provenance of an answer, as the schema shapes it. */
export function provenanceOf(query: string, parameters: Record<string, unknown>, reads: readonly SourceRead[]) {
  const record = recordOf(query, parameters, reads);
  return { ...record, parameters: canonicalJson(record.parameters), record: canonicalJson(record), digest: digestOf(record) };
}

export function ratioProvenance(snapshot: RatioSnapshotParent) {
  return provenanceOf('ratio', { protocol: snapshot.protocol, network: snapshot.network ?? null, missingSources: [...snapshot.missingSources].sort() }, snapshot.reads);
}

const sourceKeyOf = (r: { protocol: string; network: string }) => `${r.protocol}/${r.network}`;

export type ReplayErrorCode =
  | 'REPLAY_BAD_RECORD'
  | 'REPLAY_RECORD_UNKNOWN'
  | 'REPLAY_UNSUPPORTED_QUERY'
  | 'REPLAY_DIGEST_MISMATCH'
  | 'REPLAY_UNSUPPORTED_METHODOLOGY'
  | 'REPLAY_UNKNOWN_SOURCE'
  | 'REPLAY_DEPLOYMENT_CHANGED'
  | 'REPLAY_BLOCK_UNKNOWN';

/** A replay that cannot give the recorded answer: BAD_USER_INPUT (the record is the caller's), with the precise reason in replayCode. */
export function replayError(code: ReplayErrorCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', replayCode: code } });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isWhole = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** The record in `text`, its envelope and reads checked field by field (errors say which field is wrong); its kind and parameters are the caller's to check. */
export function parseRecordText(text: string): ProvenanceRecord {
  if (text.length > MAX_RECORD_CHARS) throw replayError('REPLAY_BAD_RECORD', `the record is ${text.length} characters; a provenance record is at most ${MAX_RECORD_CHARS}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw replayError('REPLAY_BAD_RECORD', 'the record is not JSON: pass provenance.record as svr returned it');
  }
  const bad = (what: string) => replayError('REPLAY_BAD_RECORD', `the record's ${what}; pass provenance.record as svr returned it`);
  if (!isObject(value)) throw bad('top level is not an object');
  if (!isWhole(value.methodologyVersion)) throw bad('methodologyVersion is not a whole number');
  if (typeof value.query !== 'string') throw bad('query is not text');
  if (!isObject(value.parameters)) throw bad('parameters is not an object');
  if (!Array.isArray(value.reads) || value.reads.length === 0) throw bad('reads is not a non-empty list');
  const reads = value.reads.map((r, i): ReadRecord => {
    if (!isObject(r) || typeof r.protocol !== 'string' || typeof r.network !== 'string') throw bad(`read ${i} needs protocol and network`);
    if (!isWhole(r.blockNumber)) throw bad(`read ${i}'s blockNumber is not a whole number`);
    if (!(r.blockHash === null || (typeof r.blockHash === 'string' && /^0x[0-9a-fA-F]{64}$/.test(r.blockHash)))) throw bad(`read ${i}'s blockHash is not null or 0x and 64 hex digits`);
    if (!(r.deployment === null || typeof r.deployment === 'string')) throw bad(`read ${i}'s deployment is not text or null`);
    if (!(r.timestamp === null || isWhole(r.timestamp))) throw bad(`read ${i}'s timestamp is not a whole number or null`);
    return { protocol: r.protocol, network: r.network, deployment: r.deployment, blockNumber: r.blockNumber, blockHash: r.blockHash, timestamp: r.timestamp };
  });
  const keys = reads.map(sourceKeyOf);
  if (new Set(keys).size !== keys.length) throw bad('reads name one source twice');
  return { methodologyVersion: value.methodologyVersion, query: value.query, parameters: value.parameters, reads };
}

/** The Provenance of a stored or passed record, as the schema shapes it. */
export function provenanceOfRecord(record: ProvenanceRecord) {
  return { ...record, parameters: canonicalJson(record.parameters), record: canonicalJson(record), digest: digestOf(record) };
}

/** A bad parameter of a record: the record is not one svr wrote. */
export function badParameter(what: string): GraphQLError {
  return replayError('REPLAY_BAD_RECORD', `the record's parameters: ${what}; pass provenance.record as svr returned it`);
}

/** The sources a record's answer had to leave out (ratio and risk records name them). */
export function missingSourcesOf(p: Record<string, unknown>): string[] {
  const missing = p.missingSources;
  if (!Array.isArray(missing) || !missing.every((m) => typeof m === 'string')) throw badParameter('missingSources is not a list of texts');
  return missing as string[];
}

/** The checks every replay makes before reading: the digest names this record, and its methodology is this svr's. */
export function checkRecord(record: ProvenanceRecord, digest: string | null | undefined): void {
  if (digest !== null && digest !== undefined && digest !== digestOf(record)) {
    throw replayError('REPLAY_DIGEST_MISMATCH', `the record's digest is ${digestOf(record)}, not ${digest}: the record is not the one that digest names`);
  }
  if (!REPLAYABLE_METHODOLOGY_VERSIONS.includes(record.methodologyVersion)) {
    throw replayError(
      'REPLAY_UNSUPPORTED_METHODOLOGY',
      `the record was computed with methodology version ${record.methodologyVersion}; this svr computes version ${REPLAYABLE_METHODOLOGY_VERSIONS.join(', ')} (docs/methodology-changelog.md): replay it on an svr of that version`,
    );
  }
}

/** The record's reads as pins, each checked against its source: still there at that block under that hash, from that deployment. */
export async function replayReads(ctx: GatewayContext, record: ProvenanceRecord): Promise<SourceRead[]> {
  return Promise.all(record.reads.map((r) => pinOf(ctx, r)));
}

/** The pin a read was made at, checked against the source: the same deployment, and a block it still has under that hash. */
async function pinOf(ctx: GatewayContext, read: ReadRecord): Promise<SourceRead> {
  const rs = ctx.sources;
  const source = rs.registry.get(read.protocol, read.network);
  if (!source) throw replayError('REPLAY_UNKNOWN_SOURCE', `this svr serves no ${sourceKeyOf(read)}; replay on an svr that serves it`);
  let head: BlockPin;
  let block: { number: number; hash: string | null; timestamp: number | null } | null;
  try {
    head = await rs.head(source);
    if (read.deployment !== null && head.deployment !== null && head.deployment !== read.deployment) {
      throw replayError('REPLAY_DEPLOYMENT_CHANGED', `${sourceKeyOf(read)} now serves deployment ${head.deployment}, not ${read.deployment} as recorded: the answer came from another subgraph build`);
    }
    if (read.blockNumber > head.number) {
      throw replayError('REPLAY_BLOCK_UNKNOWN', `${sourceKeyOf(read)} has indexed up to block ${head.number}, not yet ${read.blockNumber}; replay once it has`);
    }
    const at = read.blockHash !== null ? `{ hash: ${JSON.stringify(read.blockHash)} }` : `{ number: ${read.blockNumber} }`;
    block = (await rs.fetch<{ block: typeof block }>(source, `_meta(block: ${at}) { block { number hash timestamp } }`)).value.block;
  } catch (e) {
    if (!(e instanceof SourceError)) throw e;
    if (read.blockHash !== null && /no block with that hash/i.test(e.message)) {
      throw replayError('REPLAY_BLOCK_UNKNOWN', `${sourceKeyOf(read)} has no block ${read.blockHash}: block ${read.blockNumber} was reorganised away (or the record is from another chain); the answer cannot be recomputed`);
    }
    throw new GraphQLError(e.message, { extensions: { code: e.code, source: e.source } });
  }
  if (!block || block.number !== read.blockNumber) {
    throw replayError('REPLAY_BLOCK_UNKNOWN', `${sourceKeyOf(read)}'s block ${read.blockHash ?? read.blockNumber} is number ${block?.number ?? 'unknown'}, not ${read.blockNumber} as recorded`);
  }
  if (read.timestamp !== null && block.timestamp !== null && block.timestamp !== read.timestamp) {
    throw replayError('REPLAY_BLOCK_UNKNOWN', `${sourceKeyOf(read)}'s block ${read.blockNumber} has time ${block.timestamp}, not ${read.timestamp} as recorded`);
  }
  return {
    source,
    pin: { number: read.blockNumber, hash: read.blockHash, timestamp: read.timestamp, stale: false, ageMs: 0, hasIndexingErrors: head.hasIndexingErrors, deployment: read.deployment },
  };
}

export const provenanceResolvers: Resolvers = {
  RatioSnapshot: {
    provenance: (snapshot) => ratioProvenance(snapshot),
  },
  HistoryPoint: {
    provenance: (point) => provenanceOf('history', { protocol: point.series.protocol, network: point.series.network, interval: point.series.interval, timestamp: point.timestamp }, point.series.reads),
  },
  // A record served (its digest or its text selected) is kept for replay by digest alone: the store batches and dedupes.
  Provenance: {
    digest: (p, _, ctx) => {
      ctx.records?.keep(p.digest, p.record);
      return p.digest;
    },
    record: (p, _, ctx) => {
      ctx.records?.keep(p.digest, p.record);
      return p.record;
    },
  },
};
