// Chainlink AnswerUpdated -> the USD price of every reserve token the aggregator prices (most recent
// source wins), and those reserves and the protocol revalued at it.
import { Address } from '@graphprotocol/graph-ts';
import { AnswerUpdated } from '../generated/templates/ChainlinkAggregator/ChainlinkAggregator';
import { Market, Token } from '../generated/schema';
import { recordRound } from '../../common/chainlink';
import { getProtocol, recomputeProtocol, revalueReserve } from './common';
import { saveProtocol } from '../../common/snapshots';

export function handleAnswerUpdated(event: AnswerUpdated): void {
  let round = recordRound(event.params.current, event.params.roundId, event.params.updatedAt, event);
  if (round == null) return;
  let revalued = false;
  for (let i = 0; i < round.feed.tokens.length; i++) {
    let tokenAddress = Address.fromString(round.feed.tokens[i]);
    let token = Token.load(tokenAddress);
    if (token == null) continue;
    token.lastPriceUSD = round.priceUSD;
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
