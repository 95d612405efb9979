// The reserve tokens svr knows, per network: symbol and decimals. Mappings make no contract calls
// (svr indexes from log files too), so decimals come from this table; a reserve not listed here
// has unknown decimals: its balances are kept exactly in token units but left out of USD sums
// and named in `unpricedTokens`.
//
// Sources (facts only):
// - mainnet and optimism: bgd-labs/aave-address-book `src/AaveV3Ethereum.sol` (commit be65fa2d)
//   and `src/AaveV3Optimism.sol` (commit 31aa2cba), library `AaveV3...Assets`: `<SYMBOL>_UNDERLYING`
//   and `<SYMBOL>_DECIMALS`.
// - arbitrum-one and avalanche: gmx-io/gmx-contracts `scripts/core/tokens.js` (as cited in
//   ../gmx-v1/src/tokens.ts), and ../shared/fixtures/real-logs/README.md (USDT0 on Arbitrum,
//   native USDC, 6 decimals).
//
// `stablecoin`: counted at 1.00 USD until a feed reports (USDC, USDC.e, USDT, DAI only).

export class TokenInfo {
  constructor(
    public symbol: string,
    public decimals: i32,
    public stablecoin: boolean,
  ) {}
}

/** `address` in lower-case hex. */
export function knownToken(network: string, address: string): TokenInfo | null {
  if (network == 'mainnet') {
    if (address == '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2') return new TokenInfo('WETH', 18, false);
    if (address == '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0') return new TokenInfo('wstETH', 18, false);
    if (address == '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599') return new TokenInfo('WBTC', 8, false);
    if (address == '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48') return new TokenInfo('USDC', 6, true);
    if (address == '0x6b175474e89094c44da98b954eedeac495271d0f') return new TokenInfo('DAI', 18, true);
    if (address == '0x514910771af9ca656af840dff83e8264ecf986ca') return new TokenInfo('LINK', 18, false);
    if (address == '0x7fc66500c84a76ad7e9c93437bfc5ac33e2ddae9') return new TokenInfo('AAVE', 18, false);
    if (address == '0xbe9895146f7af43049ca1c1ae358b0541ea49704') return new TokenInfo('cbETH', 18, false);
    if (address == '0xdac17f958d2ee523a2206206994597c13d831ec7') return new TokenInfo('USDT', 6, true);
    if (address == '0x5a98fcbea516cf06857215779fd812ca3bef1b32') return new TokenInfo('LDO', 18, false);
  } else if (network == 'arbitrum-one') {
    if (address == '0x82af49447d8a07e3bd95bd0d56f35241523fbab1') return new TokenInfo('WETH', 18, false);
    if (address == '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f') return new TokenInfo('WBTC', 8, false);
    if (address == '0xf97f4df75117a78c1a5a0dbb814af92458539fb4') return new TokenInfo('LINK', 18, false);
    if (address == '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8') return new TokenInfo('USDC.e', 6, true);
    if (address == '0xaf88d065e77c8cc2239327c5edb3a432268e5831') return new TokenInfo('USDC', 6, true);
    if (address == '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9') return new TokenInfo('USDT', 6, true);
    if (address == '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1') return new TokenInfo('DAI', 18, true);
  } else if (network == 'optimism') {
    if (address == '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1') return new TokenInfo('DAI', 18, true);
    if (address == '0x350a791bfc2c21f9ed5d10980dad2e2638ffa7f6') return new TokenInfo('LINK', 18, false);
    // The address book names it USDC; it is the bridged USDC (USDC.e).
    if (address == '0x7f5c764cbc14f9669b88837ca1490cca17c31607') return new TokenInfo('USDC.e', 6, true);
    if (address == '0x68f180fcce6836688e9084f035309e29bf0a2095') return new TokenInfo('WBTC', 8, false);
    if (address == '0x4200000000000000000000000000000000000006') return new TokenInfo('WETH', 18, false);
    if (address == '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58') return new TokenInfo('USDT', 6, true);
    if (address == '0x76fb31fb4af56892a25e32cfc43de717950c9278') return new TokenInfo('AAVE', 18, false);
    if (address == '0x4200000000000000000000000000000000000042') return new TokenInfo('OP', 18, false);
    if (address == '0x1f32b1c2345538c0c6f582fcb022739c4a194ebb') return new TokenInfo('wstETH', 18, false);
  } else if (network == 'avalanche') {
    if (address == '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7') return new TokenInfo('WAVAX', 18, false);
    if (address == '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab') return new TokenInfo('WETH.e', 18, false);
    if (address == '0x152b9d0fdc40c096757f570a51e494bd4b943e50') return new TokenInfo('BTC.b', 8, false);
    if (address == '0x50b7545627a5162f82a992c33b87adc75187b218') return new TokenInfo('WBTC.e', 8, false);
    if (address == '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e') return new TokenInfo('USDC', 6, true);
    if (address == '0xa7d7079b0fead91f3e65f86e8915cb59c1a4c664') return new TokenInfo('USDC.e', 6, true);
  }
  return null;
}

/**
 * The Pool of each network, lower case, as ../../networks.json (sources: ../README.md): mainnet,
 * arbitrum-one, optimism and avalanche from ../shared/reference/protocols.md; matic (the same
 * 0x794a... Pool), base, bsc, gnosis and scroll from bgd-labs/aave-address-book.
 */
export function poolAddress(network: string): string {
  if (network == 'mainnet') return '0x87870bca3f3fd6335c3f4ce8392d69350b4fa4e2';
  if (network == 'base') return '0xa238dd80c259a72e81d7e4664a9801593f98d1c5';
  if (network == 'bsc') return '0x6807dc923806fe8fd134338eabca509979a7e0cb';
  if (network == 'gnosis') return '0xb50201558b00496a145fe76f7424749556e326d8';
  if (network == 'scroll') return '0x11fcfe756c05ad438e312a7fd934381537d3cffe';
  return '0x794a61358d6845594f94dc1db02a252b5b4814ad';
}
