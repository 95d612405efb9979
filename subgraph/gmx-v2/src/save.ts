// Interim: stamps and saves Protocol and Market. TODO(merge): replaced by subgraph/common's one
// snapshot writer (saveProtocol / saveMarket with the hourly and daily snapshots) once it lands.
import { ethereum } from '@graphprotocol/graph-ts';
import { Market, Protocol } from '../generated/schema';

export function saveProtocol(protocol: Protocol, event: ethereum.Event): void {
  protocol.lastUpdateBlockNumber = event.block.number;
  protocol.lastUpdateTimestamp = event.block.timestamp;
  protocol.save();
}

export function saveMarket(market: Market, event: ethereum.Event): void {
  market.lastUpdateBlockNumber = event.block.number;
  market.lastUpdateTimestamp = event.block.timestamp;
  market.save();
}
