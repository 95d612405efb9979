// Shared by the manager and market mappings of synthetix-perps-v2: the protocol, accounts and
// units (its snapshots: subgraph/common/snapshots.ts). The rules are stated with their sources in
// docs/methodology.md ("Synthetix PerpsV2").
import { Address, BigDecimal, BigInt, Bytes, dataSource, ethereum } from '@graphprotocol/graph-ts';
import { Account, Protocol, Token } from '../generated/schema';
import { fixedToDecimal } from '../../common/units';
import { LEGACY, setVenueStatus } from '../../common/status';
import { initProtocol } from '../../common/protocol';
import { getOrCreateAccount } from '../../common/account-entity';
import { getOrCreateToken } from '../../common/token-entity';

export const PROTOCOL_ID = 'synthetix-perps-v2';
/** PerpsV2 amounts, sizes and prices are fixed point with 18 decimals. */
export const WAD_DECIMALS: i32 = 18;
/** sUSD on Optimism (ProxyERC20sUSD): the unit margin is kept in (subgraph/common/tokens.ts cites it). */
export const SUSD = '0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9';

// Synthetix calls PerpsV2 on Optimism legacy, succeeded by Perps V3 (its docs, "Perps V2 (Optimism):
// Introduction (Legacy)"), and is retiring its L2 deployments. The source gives no date on which
// PerpsV2 became legacy, so statusSince stays null.
const STATUS_SOURCE = 'https://docs.synthetix.io/exchange/perps-v2-optimism/introduction-legacy';

export const SOURCE_POSITION_EVENT = 'POSITION_EVENT';

/** An 18-decimal fixed-point integer as a BigDecimal. */
export function wad(value: BigInt): BigDecimal {
  return fixedToDecimal(value, WAD_DECIMALS);
}

export function getProtocol(event: ethereum.Event): Protocol {
  let protocol = Protocol.load(PROTOCOL_ID);
  if (protocol == null) {
    protocol = new Protocol(PROTOCOL_ID);
    // The contract: the FuturesMarketManager whose MarketAdded created the protocol (markets only come from it).
    initProtocol(protocol, 'Synthetix PerpsV2', 'PERPETUAL', 'TRADER_MARGIN', event.address, event);
    setVenueStatus(protocol, LEGACY, 0, STATUS_SOURCE);
  }
  return protocol;
}

/** sUSD, the margin token (from the token table). It gets no price: margin counts in USD as the protocol accounts it (methodology). */
export function getSUSD(event: ethereum.Event): Token {
  return changetype<Token>(getOrCreateToken(Address.fromString(SUSD), event, PROTOCOL_ID));
}

export function getAccount(address: Address, event: ethereum.Event, protocol: Protocol): Account {
  return changetype<Account>(getOrCreateAccount(address, event, protocol));
}
