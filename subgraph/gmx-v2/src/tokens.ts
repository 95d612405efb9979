// The tokens GMX v2 markets use, per network: symbol and decimals (mappings make no contract
// calls). Decimals only matter for per-token USD prices and names: pool and collateral amounts
// are valued with GMX's per-unit prices, which need none (see ../README.md).
//
// Sources: gmx-io/gmx-synthetics `config/tokens.ts` at commit a5c0c8835182cbd84e47dca04b971239311d2f1d
// (sections `arbitrum` and `avalanche`: address, decimals; BTC is `synthetic: true`, 8 decimals);
// the synthetic BTC index token's Arbitrum address 0x4790...58cd from the real OraclePriceUpdate
// logs in ../shared/fixtures/real-logs-gmx-v2/README.md.
// TODO(merge): moves into subgraph/common's one token table once it lands.

export class TokenInfo {
  constructor(
    public symbol: string,
    public decimals: i32,
    public stablecoin: boolean,
  ) {}
}

/** `address` in lower-case hex. */
export function knownToken(network: string, address: string): TokenInfo | null {
  if (network == 'arbitrum-one') {
    if (address == '0x82af49447d8a07e3bd95bd0d56f35241523fbab1') return new TokenInfo('WETH', 18, false);
    if (address == '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f') return new TokenInfo('WBTC', 8, false);
    if (address == '0x47904963fc8b2340414262125af798b9655e58cd') return new TokenInfo('BTC', 8, false);
    if (address == '0x912ce59144191c1204e64559fe8253a0e49e6548') return new TokenInfo('ARB', 18, false);
    if (address == '0x7f9fbf9bdd3f4105c478b996b648fe6e828a1e98') return new TokenInfo('APE', 18, false);
    if (address == '0xaf88d065e77c8cc2239327c5edb3a432268e5831') return new TokenInfo('USDC', 6, true);
  } else if (network == 'avalanche') {
    if (address == '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7') return new TokenInfo('WAVAX', 18, false);
    if (address == '0x152b9d0fdc40c096757f570a51e494bd4b943e50') return new TokenInfo('BTC.b', 8, false);
    if (address == '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab') return new TokenInfo('WETH.e', 18, false);
    if (address == '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e') return new TokenInfo('USDC', 6, true);
  }
  return null;
}
