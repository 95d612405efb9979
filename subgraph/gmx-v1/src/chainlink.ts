// Chainlink AnswerUpdated -> the USD price of every Vault token the aggregator prices (the most
// recent source wins: a later position event's price replaces it, and the other way round), and
// the Vault's collateral revalued at it.
import { Address } from '@graphprotocol/graph-ts';
import { AnswerUpdated } from '../generated/templates/ChainlinkAggregator/ChainlinkAggregator';
import { Token } from '../generated/schema';
import { recordRound } from '../../common/chainlink';
import { saveProtocol } from '../../common/snapshots';
import { getProtocol, updatePrice } from './vault';

export function handleAnswerUpdated(event: AnswerUpdated): void {
  let round = recordRound(event.params.current, event.params.roundId, event.params.updatedAt, event);
  if (round == null) return;
  let protocol = getProtocol(event);
  let priced = false;
  for (let i = 0; i < round.feed.tokens.length; i++) {
    let token = Token.load(Address.fromString(round.feed.tokens[i]));
    if (token == null) continue;
    updatePrice(token, round.priceUSD, 'CHAINLINK', event, protocol);
    priced = true;
  }
  if (priced) saveProtocol(protocol, event);
}
