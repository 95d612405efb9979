// Chainlink aggregators per network and reserve token: the contract that emits AnswerUpdated
// (not the proxy a protocol reads, whose aggregator changes over time). Each entry must be a real
// aggregator address cited with its public source.
//
// EMPTY on purpose: ../shared/reference/protocols.md ("Chainlink price feeds") gives no
// aggregator address for any network, and addresses are not invented. Until entries are added,
// reserves are priced only by the stablecoin default (USDC, USDC.e, USDT, DAI at 1.00) and every
// other token is left out of USD sums and named in `unpricedTokens`. See README.md.
//
// An entry: `if (network == 'mainnet' && token == '0x...') return '0x<aggregator>'; // source`

/** The aggregator for `token` (lower-case hex) on `network`, or null. USD feeds, 8 decimals. */
export function aggregatorFor(network: string, token: string): string | null {
  return null;
}

/** Chainlink USD feeds answer with 8 decimals (protocols.md). */
export const FEED_DECIMALS: i32 = 8;
