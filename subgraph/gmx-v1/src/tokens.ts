// The tokens the GMX v1 Vault trades, per network: symbol and decimals. Mappings make no
// contract calls (svr indexes from log files too), so decimals come from this table; a token
// not listed here has unknown decimals and its amounts stay unpriced.
//
// Sources: gmx-io/gmx-contracts `scripts/core/tokens.js` (commit 01a719f3, sections `arbitrum`
// and `avax`: address, decimals); Arbitrum native USDC 0xaf88...5831 (6 decimals) from
// ../shared/fixtures/real-logs/README.md (a real Vault DecreasePosition uses it as collateral).
//
// `stablecoin`: counted at 1.00 USD until a feed reports (USDC, USDC.e, USDT, DAI). MIM and
// FRAX are stable in GMX's config but not counted at 1.00 here: they have no price until a
// feed reports for them.

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
    if (address == '0xf97f4df75117a78c1a5a0dbb814af92458539fb4') return new TokenInfo('LINK', 18, false);
    if (address == '0xfa7f8980b0f1e64a2062791cc3b0871572f1f7f0') return new TokenInfo('UNI', 18, false);
    if (address == '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8') return new TokenInfo('USDC.e', 6, true);
    if (address == '0xaf88d065e77c8cc2239327c5edb3a432268e5831') return new TokenInfo('USDC', 6, true);
    if (address == '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9') return new TokenInfo('USDT', 6, true);
    if (address == '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1') return new TokenInfo('DAI', 18, true);
    if (address == '0x17fc002b466eec40dae837fc4be5c67993ddbd6f') return new TokenInfo('FRAX', 18, false);
    if (address == '0xfea7a6a0b346362bf88a9e4a88416b77a57d6c2a') return new TokenInfo('MIM', 18, false);
  } else if (network == 'avalanche') {
    if (address == '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7') return new TokenInfo('WAVAX', 18, false);
    if (address == '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab') return new TokenInfo('WETH.e', 18, false);
    if (address == '0x152b9d0fdc40c096757f570a51e494bd4b943e50') return new TokenInfo('BTC.b', 8, false);
    if (address == '0x50b7545627a5162f82a992c33b87adc75187b218') return new TokenInfo('WBTC.e', 8, false);
    if (address == '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e') return new TokenInfo('USDC', 6, true);
    if (address == '0xa7d7079b0fead91f3e65f86e8915cb59c1a4c664') return new TokenInfo('USDC.e', 6, true);
    if (address == '0x130966628846bfd36ff31a822705796e8cb8c18d') return new TokenInfo('MIM', 18, false);
  }
  return null;
}
