// The venue's status on the `Protocol` entity (`status`, `statusSince`, `statusSource`; enum
// VenueStatus in subgraph/schema.graphql). Each mapping states its venue's status as a constant
// with its public source; no event carries it.
import { BigInt, Entity } from '@graphprotocol/graph-ts';

export const LIVE = 'LIVE';
export const PAUSED = 'PAUSED';
export const LEGACY = 'LEGACY';

/** Sets the status; `since` in Unix seconds, 0 for none (statusSince stays null, as for LIVE). */
export function setVenueStatus(protocol: Entity, status: string, since: i64, source: string): void {
  protocol.setString('status', status);
  if (since != 0) protocol.setBigInt('statusSince', BigInt.fromI64(since));
  protocol.setString('statusSource', source);
}
