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
// [book-base], [book-pol], [book-bnb], [book-gno], [book-scr] bgd-labs/aave-address-book
//            `src/AaveV3Base.sol`, `AaveV3Polygon.sol`, `AaveV3BNB.sol`, `AaveV3Gnosis.sol`,
//            `AaveV3Scroll.sol` (commit f61c9762), library `AaveV3...Assets`: `<SYMBOL>_UNDERLYING` and
//            `<SYMBOL>_DECIMALS`. BNB Chain's USDC and USDT have 18 decimals; Polygon's USDCn is USDC
//            and its bridged USDC is USDC.e; WXDAI (xDAI, DAI bridged to Gnosis) is counted as DAI;
//            EURe and sDAI are not 1.00 USD.
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
  // base
  new TokenInfo('base', '0x4200000000000000000000000000000000000006', 'WETH', 18, false, 'ETH / USD'), // [book-base]
  new TokenInfo('base', '0x2ae3f1ec7f1f5012cfeab0185bfc7aa3cf0dec22', 'cbETH', 18, false, 'CBETH / USD'), // [book-base]
  new TokenInfo('base', '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913', 'USDC', 6, true, 'USDC / USD'), // [book-base]
  new TokenInfo('base', '0xd9aaec86b65d86f6a7b5b1b0c42ffa531710b6ca', 'USDbC', 6, true, 'USDC / USD'), // [book-base]
  new TokenInfo('base', '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452', 'wstETH', 18, false, ''), // [book-base]
  new TokenInfo('base', '0xcbb7c0000ab88b473b1f5afd9ef808440eed33bf', 'cbBTC', 8, false, 'cbBTC / USD'), // [book-base]
  // matic
  new TokenInfo('matic', '0x7ceb23fd6bc0add59e62ac25578270cff1b9f619', 'WETH', 18, false, 'ETH / USD'), // [book-pol]
  new TokenInfo('matic', '0x1bfd67037b42cf73acf2047067bd4f2c47d9bfd6', 'WBTC', 8, false, 'BTC / USD'), // [book-pol]
  new TokenInfo('matic', '0x53e0bca35ec356bd5dddfebbd1fc0fd03fabad39', 'LINK', 18, false, 'LINK / USD'), // [book-pol]
  new TokenInfo('matic', '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270', 'WPOL', 18, false, 'MATIC / USD'), // [book-pol]
  new TokenInfo('matic', '0xd6df932a45c0f255f85145f286ea0b292b21c90b', 'AAVE', 18, false, 'AAVE / USD'), // [book-pol]
  new TokenInfo('matic', '0x03b54a6e9a984069379fae1a4fc4dbae93b3bccd', 'wstETH', 18, false, ''), // [book-pol]
  new TokenInfo('matic', '0x8f3cf7ad23cd3cadbd9735aff958023239c6a063', 'DAI', 18, true, 'DAI / USD'), // [book-pol]
  new TokenInfo('matic', '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359', 'USDC', 6, true, 'USDC / USD'), // [book-pol]
  new TokenInfo('matic', '0x2791bca1f2de4661ed88a30c99a7a9449aa84174', 'USDC.e', 6, true, 'USDC / USD'), // [book-pol]
  new TokenInfo('matic', '0xc2132d05d31c914a87c6611c10748aeb04b58e8f', 'USDT0', 6, true, 'USDT / USD'), // [book-pol]
  // bsc
  new TokenInfo('bsc', '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c', 'WBNB', 18, false, 'BNB / USD'), // [book-bnb]
  new TokenInfo('bsc', '0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c', 'BTCB', 18, false, 'BTC / USD'), // [book-bnb]
  new TokenInfo('bsc', '0x2170ed0880ac9a755fd29b2688956bd959f933f8', 'ETH', 18, false, 'ETH / USD'), // [book-bnb]
  new TokenInfo('bsc', '0x26c5e01524d2e6280a48f2c50ff6de7e52e9611c', 'wstETH', 18, false, 'WSTETH / USD'), // [book-bnb]
  new TokenInfo('bsc', '0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d', 'USDC', 18, true, 'USDC / USD'), // [book-bnb]
  new TokenInfo('bsc', '0x55d398326f99059ff775485246999027b3197955', 'USDT', 18, true, 'USDT / USD'), // [book-bnb]
  // gnosis
  new TokenInfo('gnosis', '0x6a023ccd1ff6f2045c3309768ead9e68f978f6e1', 'WETH', 18, false, 'ETH / USD'), // [book-gno]
  new TokenInfo('gnosis', '0x6c76971f98945ae98dd7d4dfca8711ebea946ea6', 'wstETH', 18, false, ''), // [book-gno]
  new TokenInfo('gnosis', '0x9c58bacc331c9aa871afd802db6379a98e80cedb', 'GNO', 18, false, ''), // [book-gno]
  new TokenInfo('gnosis', '0xddafbb505ad214d7b80b1f830fccc89b60fb7a83', 'USDC', 6, true, 'USDC / USD'), // [book-gno]
  new TokenInfo('gnosis', '0x2a22f9c3b484c3629090feed35f17ff8f88f76f0', 'USDC.e', 6, true, 'USDC / USD'), // [book-gno]
  new TokenInfo('gnosis', '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d', 'WXDAI', 18, true, 'DAI / USD'), // [book-gno]
  new TokenInfo('gnosis', '0xcb444e90d8198415266c6a2724b7900fb12fc56e', 'EURe', 18, false, 'EUR / USD'), // [book-gno]
  new TokenInfo('gnosis', '0xaf204776c7245bf4147c2612bf6e5972ee483701', 'sDAI', 18, false, ''), // [book-gno]
  // scroll
  new TokenInfo('scroll', '0x5300000000000000000000000000000000000004', 'WETH', 18, false, ''), // [book-scr]
  new TokenInfo('scroll', '0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4', 'USDC', 6, true, ''), // [book-scr]
  new TokenInfo('scroll', '0xf610a9dfb7c89644979b4a0f27063e9e7d7cda32', 'wstETH', 18, false, ''), // [book-scr]
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
