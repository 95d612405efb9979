/**
 * The demo's tokens, from svr's one token table (subgraph/common/tokens.ts): the demo lists which
 * addresses each protocol uses; symbol, decimals and how the token is priced come from the table, so
 * the demo chain and the subgraphs that index it cannot disagree.
 */
import { knownToken } from '../../subgraph/common/tokens';
import { ASSETS, type Asset } from './prices';

export interface DemoToken {
  address: string;
  symbol: string;
  decimals: number;
  /** The price path it follows (its Chainlink pair's base asset); null: a stablecoin at 1.00. */
  asset: Asset | null;
}

/** The price path of a Chainlink pair on the demo chain ('ETH / USD' -> ETH), or null when the demo simulates none. */
export function pairAsset(pair: string): Asset | null {
  const base = pair.split(' / ')[0];
  return (ASSETS as readonly string[]).includes(base) ? (base as Asset) : null;
}

/** The table's row for `address` on `network` as the demo uses it; throws when the demo cannot price it. */
export function demoToken(network: string, address: string): DemoToken {
  const info = knownToken(network, address);
  if (!info) throw new Error(`DEMO_TOKEN_UNKNOWN: ${address} on ${network} is not in subgraph/common/tokens.ts; add its row (with its source) before the demo uses it`);
  const asset = info.stablecoin ? null : pairAsset(info.feed);
  if (!info.stablecoin && asset === null) {
    throw new Error(`DEMO_TOKEN_UNPRICED: ${info.symbol} on ${network} has no price path on the demo chain (feed '${info.feed}'); use a token priced by one of ${ASSETS.join(', ')} or a stablecoin`);
  }
  return { address: info.address, symbol: info.symbol, decimals: info.decimals, asset };
}
