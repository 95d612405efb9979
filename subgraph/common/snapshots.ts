// The one writer of `Protocol` and `Market` with their hourly and daily snapshots, for every
// subgraph, through graph-ts's untyped store (each subgraph generates its own entity classes; a
// generated `Protocol` or `Market` is an `Entity` and is passed as one). A snapshot is rewritten on
// every save within its interval, so it holds the figures as they stand at the interval's end.
import { Entity, ethereum, store } from '@graphprotocol/graph-ts';
import { dayIndex, hourIndex } from './units';

/** The Protocol fields each Protocol{Daily,Hourly}Snapshot copies (subgraph/schema.graphql). */
const PROTOCOL_FIELDS: string[] = [
  'totalValueLockedUSD',
  'priced',
  'longOpenInterestUSD',
  'shortOpenInterestUSD',
  'totalOpenInterestUSD',
  'totalBorrowBalanceUSD',
  'totalDepositBalanceUSD',
  'openPositionCount',
  'cumulativePositionCount',
  'cumulativeLiquidationCount',
];

/** The Market fields each Market{Daily,Hourly}Snapshot copies. */
const MARKET_FIELDS: string[] = [
  'totalValueLockedUSD',
  'longOpenInterestUSD',
  'shortOpenInterestUSD',
  'totalOpenInterestUSD',
  'openPositionCount',
  'cumulativeLiquidationCount',
];

/** Stamps the protocol with the event's block, saves it and writes its snapshots (id `<protocol>-<day|hour>`). */
export function saveProtocol(protocol: Entity, event: ethereum.Event): void {
  saveWithSnapshots('Protocol', protocol.getString('id'), protocol, false, PROTOCOL_FIELDS, event);
}

/** Stamps the market with the event's block, saves it and writes its snapshots (id `<market id hex>-<day|hour>`). */
export function saveMarket(market: Entity, event: ethereum.Event): void {
  saveWithSnapshots('Market', market.getBytes('id').toHexString(), market, true, MARKET_FIELDS, event);
}

/** Saves `entity` of `type` (Protocol or Market) and writes its `<type>DailySnapshot` and `<type>HourlySnapshot`. */
function saveWithSnapshots(type: string, id: string, entity: Entity, isMarket: boolean, fields: string[], event: ethereum.Event): void {
  entity.setBigInt('lastUpdateBlockNumber', event.block.number);
  entity.setBigInt('lastUpdateTimestamp', event.block.timestamp);
  store.set(type, id, entity);
  let day = dayIndex(event.block.timestamp);
  writeSnapshot(type + 'DailySnapshot', id + '-' + day.toString(), 'day', day, entity, isMarket, fields, event);
  let hour = hourIndex(event.block.timestamp);
  writeSnapshot(type + 'HourlySnapshot', id + '-' + hour.toString(), 'hour', hour, entity, isMarket, fields, event);
}

/**
 * One snapshot of `source`: its `fields`, the interval (`day` or `hour`) and the block. A market's
 * snapshot (`isMarket`) names the market and its protocol; a protocol's names the protocol.
 */
function writeSnapshot(type: string, id: string, interval: string, index: i32, source: Entity, isMarket: boolean, fields: string[], event: ethereum.Event): void {
  let snapshot = new Entity();
  snapshot.setString('id', id);
  if (isMarket) {
    snapshot.set('market', source.get('id')!);
    snapshot.set('protocol', source.get('protocol')!);
  } else {
    snapshot.set('protocol', source.get('id')!);
  }
  snapshot.setI32(interval, index);
  for (let i = 0; i < fields.length; i++) snapshot.set(fields[i], source.get(fields[i])!);
  snapshot.setBigInt('blockNumber', event.block.number);
  snapshot.setBigInt('timestamp', event.block.timestamp);
  store.set(type, id, snapshot);
}
