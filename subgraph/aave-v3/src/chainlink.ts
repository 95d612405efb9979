// Chainlink AnswerUpdated -> the USD price of every reserve token the aggregator prices (most recent
// source wins), and those reserves and the protocol revalued at it.
import { Address, BigDecimal, BigInt, dataSource, log } from '@graphprotocol/graph-ts';
import { AnswerUpdated } from '../generated/templates/ChainlinkAggregator/ChainlinkAggregator';
import { Market, PriceFeed, Token } from '../generated/schema';
import { FEED_DECIMALS, feedOf } from '../../common/chainlink-feeds';
import { fixedToDecimal } from '../../common/units';
import { getProtocol, recomputeProtocol, revalueReserve, saveProtocol } from './common';

export function handleAnswerUpdated(event: AnswerUpdated): void {
  let aggregator = dataSource.address();
  let feed = feedOf(dataSource.network(), aggregator.toHexString());
  let entity = PriceFeed.load(aggregator);
  if (feed == null || entity == null) {
    log.critical('aave-v3: aggregator {} is followed but not in the feed table of {}', [aggregator.toHexString(), dataSource.network()]);
    return;
  }
  let answer = event.params.current;
  if (answer.le(BigInt.zero())) {
    log.warning('aave-v3: aggregator {} answered {}: not a price, ignored', [aggregator.toHexString(), answer.toString()]);
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

  let revalued = false;
  for (let i = 0; i < feed!.tokens.length; i++) {
    let tokenAddress = Address.fromString(feed!.tokens[i]);
    let token = Token.load(tokenAddress);
    if (token == null) continue;
    token.lastPriceUSD = price;
    token.lastPriceSource = 'CHAINLINK';
    token.lastPriceBlockNumber = event.block.number;
    token.lastPriceTimestamp = event.block.timestamp;
    token.save();
    if (Market.load(tokenAddress) == null) continue;
    revalueReserve(tokenAddress, event);
    revalued = true;
  }
  if (!revalued) return;
  let protocol = getProtocol(event);
  recomputeProtocol(protocol);
  saveProtocol(protocol, event);
}
