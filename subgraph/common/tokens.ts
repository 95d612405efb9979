// The one token table of svr: per network and address, the symbol, the decimals and how the token
// is priced. Every subgraph reads it (through ./token-entity.ts) and so does the demo chain
// (server/demo/*), so a token is described once. Mappings make no contract calls (svr indexes from
// log files too), so decimals come from here; a token not listed has unknown decimals and its
// amounts stay unpriced.
//
// This file is AssemblyScript that is also valid TypeScript, like ./chainlink-feeds.ts. So it uses
// only types both languages share: `decimals` is a `number` (f64 in AssemblyScript, exact for
// these small integers), converted to i32 where the store needs it (./token-entity.ts).
// Addresses are lower-case hex.
//
// Pricing, two independent parts:
// - `stablecoin`: counted at 1.00 USD until a feed reports (USDC, USDC.e, USDT, DAI only). MIM and
//   FRAX are stable in GMX's config but not counted at 1.00 here.
// - `feed`: the Chainlink pair (as ./chainlink-feeds.ts names it on that network) whose
//   aggregator prices the token; '' when none is listed, and the token then has no price from a
//   feed (mainnet wstETH, cbETH, LDO; arbitrum-one FRAX; avalanche MIM; Optimism sUSD, whose
//   margin Synthetix PerpsV2 accounts in USD itself).
//
// Sources (facts only; each row names its sources in brackets):
// [gmx]      gmx-io/gmx-contracts `scripts/core/tokens.js` (commit 01a719f3, sections `arbitrum`
//            and `avax`: address, decimals).
// [real]     ../shared/fixtures/real-logs/README.md: Arbitrum native USDC 0xaf88...5831 (6 decimals,
//            collateral of a real Vault DecreasePosition); USDT0 on Arbitrum at the USDT address.
// [gmx-v2]  gmx-io/gmx-synthetics `config/tokens.ts` (commit a5c0c883, section `arbitrum`: APE
//            address and decimals; BTC `synthetic: true`, 8 decimals), the synthetic BTC index token's
//            address from the real OraclePriceUpdate logs in ../shared/fixtures/real-logs-gmx-v2/README.md.
//            No Chainlink feed is listed for them: GMX v2 prices them with its own OraclePriceUpdate.
// [book-eth] bgd-labs/aave-address-book `src/AaveV3Ethereum.sol` (commit be65fa2d), library
//            `AaveV3EthereumAssets`: `<SYMBOL>_UNDERLYING` and `<SYMBOL>_DECIMALS`.
// [book-op]  bgd-labs/aave-address-book `src/AaveV3Optimism.sol` (commit 31aa2cba), likewise. The
//            address book names 0x7f5c...1607 USDC; it is the bridged USDC (USDC.e).
// [susd]     sUSD on Optimism (ProxyERC20sUSD), the unit PerpsV2 margin is kept in: the sUSD reserve
//            of Aave v3 on Optimism (optimistic.etherscan.io/address/0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9).
//
// Where two tokens share a feed (USDC and USDC.e, BTC.b and WBTC.e), their order here is the order
// the feed's PriceFeed entity lists them in.

export class TokenInfo {
  constructor(
    public network: string,
    public address: string,
    public symbol: string,
    public decimals: number,
    /** Counted at 1.00 USD until a feed reports. */
    public stablecoin: boolean,
    /** The Chainlink pair that prices it on `network` ('ETH / USD'), or '' for none. */
    public feed: string,
  ) {}
}

export const TOKENS: TokenInfo[] = [
  // mainnet
  new TokenInfo('mainnet', '0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2', 'WETH', 18, false, 'ETH / USD'), // [book-eth]
  new TokenInfo('mainnet', '0x7f39c581f595b53c5cb19bd0b3f8da6c935e2ca0', 'wstETH', 18, false, ''), // [book-eth]
  new TokenInfo('mainnet', '0x2260fac5e5542a773aa44fbcfedf7c193bc2c599', 'WBTC', 8, false, 'BTC / USD'), // [book-eth]
  new TokenInfo('mainnet', '0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48', 'USDC', 6, true, 'USDC / USD'), // [book-eth]
  new TokenInfo('mainnet', '0x6b175474e89094c44da98b954eedeac495271d0f', 'DAI', 18, true, 'DAI / USD'), // [book-eth]
  new TokenInfo('mainnet', '0x514910771af9ca656af840dff83e8264ecf986ca', 'LINK', 18, false, 'LINK / USD'), // [book-eth]
  new TokenInfo('mainnet', '0x7fc66500c84a76ad7e9c93437bfc5ac33e2ddae9', 'AAVE', 18, false, 'AAVE / USD'), // [book-eth]
  new TokenInfo('mainnet', '0xbe9895146f7af43049ca1c1ae358b0541ea49704', 'cbETH', 18, false, ''), // [book-eth]
  new TokenInfo('mainnet', '0xdac17f958d2ee523a2206206994597c13d831ec7', 'USDT', 6, true, 'USDT / USD'), // [book-eth]
  new TokenInfo('mainnet', '0x5a98fcbea516cf06857215779fd812ca3bef1b32', 'LDO', 18, false, ''), // [book-eth]
  // arbitrum-one
  new TokenInfo('arbitrum-one', '0x82af49447d8a07e3bd95bd0d56f35241523fbab1', 'WETH', 18, false, 'ETH / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0x2f2a2543b76a4166549f7aab2e75bef0aefc5b0f', 'WBTC', 8, false, 'BTC / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0xf97f4df75117a78c1a5a0dbb814af92458539fb4', 'LINK', 18, false, 'LINK / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0xfa7f8980b0f1e64a2062791cc3b0871572f1f7f0', 'UNI', 18, false, 'UNI / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0xaf88d065e77c8cc2239327c5edb3a432268e5831', 'USDC', 6, true, 'USDC / USD'), // [real]
  new TokenInfo('arbitrum-one', '0xff970a61a04b1ca14834a43f5de4533ebddb5cc8', 'USDC.e', 6, true, 'USDC / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0xfd086bc7cd5c481dcc9c85ebe478a1c0b69fcbb9', 'USDT', 6, true, 'USDT / USD'), // [gmx, real]
  new TokenInfo('arbitrum-one', '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1', 'DAI', 18, true, 'DAI / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0x17fc002b466eec40dae837fc4be5c67993ddbd6f', 'FRAX', 18, false, ''), // [gmx]
  new TokenInfo('arbitrum-one', '0xfea7a6a0b346362bf88a9e4a88416b77a57d6c2a', 'MIM', 18, false, 'MIM / USD'), // [gmx]
  new TokenInfo('arbitrum-one', '0x47904963fc8b2340414262125af798b9655e58cd', 'BTC', 8, false, ''), // [gmx-v2]
  new TokenInfo('arbitrum-one', '0x7f9fbf9bdd3f4105c478b996b648fe6e828a1e98', 'APE', 18, false, ''), // [gmx-v2]
  // avalanche
  new TokenInfo('avalanche', '0xb31f66aa3c1e785363f0875a1b74e27b85fd66c7', 'WAVAX', 18, false, 'AVAX / USD'), // [gmx]
  new TokenInfo('avalanche', '0x49d5c2bdffac6ce2bfdb6640f4f80f226bc10bab', 'WETH.e', 18, false, 'ETH / USD'), // [gmx]
  new TokenInfo('avalanche', '0x152b9d0fdc40c096757f570a51e494bd4b943e50', 'BTC.b', 8, false, 'BTC / USD'), // [gmx]
  new TokenInfo('avalanche', '0x50b7545627a5162f82a992c33b87adc75187b218', 'WBTC.e', 8, false, 'BTC / USD'), // [gmx]
  new TokenInfo('avalanche', '0xb97ef9ef8734c71904d8002f8b6bc66dd9c48a6e', 'USDC', 6, true, 'USDC / USD'), // [gmx]
  new TokenInfo('avalanche', '0xa7d7079b0fead91f3e65f86e8915cb59c1a4c664', 'USDC.e', 6, true, 'USDC / USD'), // [gmx]
  new TokenInfo('avalanche', '0x130966628846bfd36ff31a822705796e8cb8c18d', 'MIM', 18, false, ''), // [gmx]
  // optimism
  new TokenInfo('optimism', '0xda10009cbd5d07dd0cecc66161fc93d7c9000da1', 'DAI', 18, true, 'DAI / USD'), // [book-op]
  new TokenInfo('optimism', '0x350a791bfc2c21f9ed5d10980dad2e2638ffa7f6', 'LINK', 18, false, 'LINK / USD'), // [book-op]
  new TokenInfo('optimism', '0x7f5c764cbc14f9669b88837ca1490cca17c31607', 'USDC.e', 6, true, 'USDC / USD'), // [book-op]
  new TokenInfo('optimism', '0x68f180fcce6836688e9084f035309e29bf0a2095', 'WBTC', 8, false, 'BTC / USD'), // [book-op]
  new TokenInfo('optimism', '0x4200000000000000000000000000000000000006', 'WETH', 18, false, 'ETH / USD'), // [book-op]
  new TokenInfo('optimism', '0x94b008aa00579c1307b0ef2c499ad98a8ce58e58', 'USDT', 6, true, 'USDT / USD'), // [book-op]
  new TokenInfo('optimism', '0x76fb31fb4af56892a25e32cfc43de717950c9278', 'AAVE', 18, false, 'AAVE / USD'), // [book-op]
  new TokenInfo('optimism', '0x4200000000000000000000000000000000000042', 'OP', 18, false, 'OP / USD'), // [book-op]
  new TokenInfo('optimism', '0x1f32b1c2345538c0c6f582fcb022739c4a194ebb', 'wstETH', 18, false, 'WSTETH / USD'), // [book-op]
  new TokenInfo('optimism', '0x8c6f28f2f1a3c87f0f938b96d27520d9751ec8d9', 'sUSD', 18, false, ''), // [susd]
];

/** The row of `address` (lower-case hex) on `network`, or null when the token is not listed. */
export function knownToken(network: string, address: string): TokenInfo | null {
  for (let i = 0; i < TOKENS.length; i++) {
    let token = TOKENS[i];
    if (token.network == network && token.address == address) return token;
  }
  return null;
}

/** The tokens the Chainlink pair `feed` prices on `network`, in table order. */
export function tokensPricedBy(network: string, feed: string): string[] {
  let tokens = new Array<string>();
  for (let i = 0; i < TOKENS.length; i++) {
    let token = TOKENS[i];
    if (token.network == network && token.feed == feed) tokens.push(token.address);
  }
  return tokens;
}

/** The listed tokens of `network`, in table order. */
export function tokensOf(network: string): TokenInfo[] {
  let tokens = new Array<TokenInfo>();
  for (let i = 0; i < TOKENS.length; i++) {
    if (TOKENS[i].network == network) tokens.push(TOKENS[i]);
  }
  return tokens;
}
