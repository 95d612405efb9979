// Saves Protocol and Market and writes their hourly and daily snapshots, in ONE function for both
// intervals and both entity types, through graph-ts's untyped store. Interim: the shared writer of
// subgraph/common (issue 14, item 4) was not there when this subgraph was written; when it lands,
// saveProtocol / saveMarket here give way to it (the snapshot ids and fields are the schema's).
import { Entity, ethereum, store, Value } from '@graphprotocol/graph-ts';
import { Market, Protocol } from '../generated/schema';
import { dayIndex, hourIndex } from '../../common/units';

const PROTOCOL_FIELDS: string[] = [
  'totalValueLockedUSD', 'priced', 'longOpenInterestUSD', 'shortOpenInterestUSD', 'totalOpenInterestUSD',
  'totalBorrowBalanceUSD', 'totalDepositBalanceUSD', 'openPositionCount', 'cumulativePositionCount', 'cumulativeLiquidationCount',
];
const MARKET_FIELDS: string[] = ['totalValueLockedUSD', 'longOpenInterestUSD', 'shortOpenInterestUSD', 'totalOpenInterestUSD', 'openPositionCount', 'cumulativeLiquidationCount'];

/**
 * `<type>DailySnapshot` and `<type>HourlySnapshot` of `source` (id `<idPrefix>-<day|hour>`): the
 * fields, the links, the interval index and the block. Rewritten on every save within the interval,
 * so each holds the figures as they stand at the interval's end.
 */
function writeSnapshots(type: string, idPrefix: string, source: Entity, fields: string[], links: Map<string, Value>, event: ethereum.Event): void {
  for (let daily = 0; daily < 2; daily++) {
    let interval = daily == 1 ? 'day' : 'hour';
    let index = daily == 1 ? dayIndex(event.block.timestamp) : hourIndex(event.block.timestamp);
    let id = idPrefix + '-' + index.toString();
    let snapshot = new Entity();
    snapshot.setString('id', id);
    let keys = links.keys();
    for (let k = 0; k < keys.length; k++) snapshot.set(keys[k], links.get(keys[k]));
    snapshot.setI32(interval, index);
    for (let f = 0; f < fields.length; f++) snapshot.set(fields[f], source.get(fields[f])!);
    snapshot.setBigInt('blockNumber', event.block.number);
    snapshot.setBigInt('timestamp', event.block.timestamp);
    store.set(type + (daily == 1 ? 'Daily' : 'Hourly') + 'Snapshot', id, snapshot);
  }
}

export function saveProtocol(protocol: Protocol, event: ethereum.Event): void {
  protocol.lastUpdateBlockNumber = event.block.number;
  protocol.lastUpdateTimestamp = event.block.timestamp;
  protocol.save();
  let links = new Map<string, Value>();
  links.set('protocol', Value.fromString(protocol.id));
  writeSnapshots('Protocol', protocol.id, protocol, PROTOCOL_FIELDS, links, event);
}

export function saveMarket(market: Market, event: ethereum.Event): void {
  market.lastUpdateBlockNumber = event.block.number;
  market.lastUpdateTimestamp = event.block.timestamp;
  market.save();
  let links = new Map<string, Value>();
  links.set('market', Value.fromBytes(market.id));
  links.set('protocol', Value.fromString(market.protocol));
  writeSnapshots('Market', market.id.toHexString(), market, MARKET_FIELDS, links, event);
}
