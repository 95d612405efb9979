/** The objects resolvers pass down for types whose fields resolve lazily. */
import type { BlockPin, SourceDefinition } from '../sources';
import type { HistoryPoint, RatioSnapshot } from './generated/resolvers-types';

export interface ProtocolParent {
  id: string;
}

export interface DeploymentParent {
  source: SourceDefinition;
}

/** Account and Token: an id; their figures resolve on demand. */
export interface EntityParent {
  id: string;
}

/** A source read at a block: what a figure was built from. */
export interface SourceRead {
  source: SourceDefinition;
  pin: BlockPin;
}

/** A RatioSnapshot as resolved, with the reads behind it (for fields computed from the same blocks, and its provenance). */
export type RatioSnapshotParent = Omit<RatioSnapshot, 'provenance'> & { reads: SourceRead[] };

/** A HistoryPoint as resolved: the series it belongs to, for its provenance. */
export type HistoryPointParent = Omit<HistoryPoint, 'provenance'> & { series: { protocol: string; network: string | null; interval: 'HOUR' | 'DAY'; reads: SourceRead[] } };

/** A RatioUpdate as the live figures compute it once per head (live.ts), shared by every subscriber. */
export interface RatioUpdateParent {
  protocol: string;
  network: string;
  block: { number: number; hash: string; timestamp: number | null; deployment: string | null };
  snapshot: RatioSnapshotParent;
  coalescedHeads: number;
}

export interface AggregateUpdateParent {
  blocks: Array<{ number: number; hash: string; timestamp: number | null; deployment: string | null }>;
  snapshot: RatioSnapshotParent;
  coalescedHeads: number;
}
