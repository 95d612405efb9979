// Following the Chainlink aggregators of ./chainlink-feeds.ts, for every subgraph that prices tokens
// with them: the `ChainlinkAggregator` template and the `PriceFeed` entity of the common schema,
// through graph-ts's untyped store (each subgraph generates its own entity classes). The subgraph
// applies a round to its own entities.
import { Address, BigDecimal, BigInt, Bytes, DataSourceTemplate, Entity, Value, dataSource, ethereum, log, store } from '@graphprotocol/graph-ts';
import { ChainlinkFeed, FEED_DECIMALS, aggregatorForToken, feedOf } from './chainlink-feeds';
import { fixedToDecimal } from './units';

/** The template each following subgraph declares in its manifest. */
const TEMPLATE = 'ChainlinkAggregator';
const ENTITY = 'PriceFeed';

/**
 * Follows the aggregator that prices `token` on this network, once per aggregator (several tokens
 * can share one, and its rounds price them all). Call it when the subgraph first sees the token.
 */
export function followFeed(token: Address, event: ethereum.Event): void {
  let network = dataSource.network();
  let aggregator = aggregatorForToken(network, token.toHexString());
  if (aggregator == null) return;
  if (store.get(ENTITY, aggregator!) != null) return;
  let feed = feedOf(network, aggregator!)!;
  let tokens = new Array<Bytes>();
  for (let i = 0; i < feed.tokens.length; i++) tokens.push(Bytes.fromHexString(feed.tokens[i]));
  let entity = new Entity();
  entity.setBytes('id', Address.fromString(aggregator!));
  entity.setString('pair', feed.pair);
  entity.set('tokens', Value.fromBytesArray(tokens));
  entity.setI32('roundCount', 0);
  entity.setBigInt('createdBlockNumber', event.block.number);
  store.set(ENTITY, aggregator!, entity);
  DataSourceTemplate.create(TEMPLATE, [aggregator!]);
}

/** A round to apply: the feed (its tokens) and the answer in USD. */
export class Round {
  constructor(
    public feed: ChainlinkFeed,
    public priceUSD: BigDecimal,
  ) {}
}

/**
 * Records an AnswerUpdated of the aggregator this handler runs for on its PriceFeed, and returns
 * the round to apply, or null for a non-positive answer (not a price: ignored, with a warning).
 */
export function recordRound(current: BigInt, roundId: BigInt, updatedAt: BigInt, event: ethereum.Event): Round | null {
  let aggregator = dataSource.address().toHexString();
  let feed = feedOf(dataSource.network(), aggregator);
  let entity = store.get(ENTITY, aggregator);
  if (feed == null || entity == null) {
    log.critical('aggregator {} is followed but not in the feed table of {}', [aggregator, dataSource.network()]);
    return null;
  }
  if (current.le(BigInt.zero())) {
    log.warning('aggregator {} answered {}: not a price, ignored', [aggregator, current.toString()]);
    return null;
  }
  let price = fixedToDecimal(current, FEED_DECIMALS);
  entity!.setBigInt('lastAnswer', current);
  entity!.setBigDecimal('lastAnswerUSD', price);
  entity!.setBigInt('lastRoundId', roundId);
  entity!.setBigInt('lastUpdatedAt', updatedAt);
  entity!.setBigInt('lastBlockNumber', event.block.number);
  entity!.setI32('roundCount', entity!.getI32('roundCount') + 1);
  store.set(ENTITY, aggregator, entity!);
  return new Round(feed!, price);
}
