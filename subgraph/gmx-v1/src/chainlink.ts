// Chainlink AnswerUpdated -> the USD price of every Vault token the aggregator prices (the most
// recent source wins: a later position event's price replaces it, and the other way round), and
// the Vault's collateral revalued at it.
import { Address, BigDecimal, BigInt, dataSource, log } from '@graphprotocol/graph-ts';
import { AnswerUpdated } from '../generated/templates/ChainlinkAggregator/ChainlinkAggregator';
import { PriceFeed, Token } from '../generated/schema';
import { FEED_DECIMALS, feedOf } from '../../common/chainlink-feeds';
import { fixedToDecimal } from '../../common/units';
import { getProtocol, saveProtocol, updatePrice } from './vault';

export function handleAnswerUpdated(event: AnswerUpdated): void {
  let aggregator = dataSource.address();
  let feed = feedOf(dataSource.network(), aggregator.toHexString());
  let entity = PriceFeed.load(aggregator);
  if (feed == null || entity == null) {
    log.critical('gmx-v1: aggregator {} is followed but not in the feed table of {}', [aggregator.toHexString(), dataSource.network()]);
    return;
  }
  let answer = event.params.current;
  if (answer.le(BigInt.zero())) {
    log.warning('gmx-v1: aggregator {} answered {}: not a price, ignored', [aggregator.toHexString(), answer.toString()]);
    return;
  }
  let price: BigDecimal = fixedToDecimal(answer, FEED_DECIMALS);
  entity.lastAnswer = answer;
  entity.lastAnswerUSD = price;
  entity.lastRoundId = event.params.roundId;
  entity.lastUpdatedAt = event.params.updatedAt;
  entity.lastBlockNumber = event.block.number;
  entity.roundCount = entity.roundCount + 1;
  entity.save();

  let protocol = getProtocol(event);
  let priced = false;
  for (let i = 0; i < feed!.tokens.length; i++) {
    let token = Token.load(Address.fromString(feed!.tokens[i]));
    if (token == null) continue;
    updatePrice(token, price, 'CHAINLINK', event, protocol);
    priced = true;
  }
  if (priced) saveProtocol(protocol, event);
}
