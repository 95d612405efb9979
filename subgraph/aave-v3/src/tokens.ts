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
// - base, matic, bsc, gnosis and scroll: bgd-labs/aave-address-book `src/AaveV3Base.sol`,
//   `AaveV3Polygon.sol`, `AaveV3BNB.sol`, `AaveV3Gnosis.sol`, `AaveV3Scroll.sol` (commit f61c9762),
//   library `AaveV3...Assets`: `<SYMBOL>_UNDERLYING` and `<SYMBOL>_DECIMALS`.
//
// `stablecoin`: counted at 1.00 USD until a feed reports (USD coins: USDC, USDC.e, USDbC, USDT,
// USDT0, DAI and WXDAI).

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
  } else if (network == 'base') {
    if (address == '0x4200000000000000000000000000000000000006') return new TokenInfo('WETH', 18, false);
    if (address == '0x2ae3f1ec7f1f5012cfeab0185bfc7aa3cf0dec22') return new TokenInfo('cbETH', 18, false);
    // Bridged USDC (USDbC) and native USDC.
    if (address == '0xd9aaec86b65d86f6a7b5b1b0c42ffa531710b6ca') return new TokenInfo('USDbC', 6, true);
    if (address == '0x833589fcd6edb6e08f4c7c32d4f71b54bda02913') return new TokenInfo('USDC', 6, true);
    if (address == '0xc1cba3fcea344f92d9239c08c0568f6f2f0ee452') return new TokenInfo('wstETH', 18, false);
    if (address == '0xcbb7c0000ab88b473b1f5afd9ef808440eed33bf') return new TokenInfo('cbBTC', 8, false);
  } else if (network == 'matic') {
    if (address == '0x7ceb23fd6bc0add59e62ac25578270cff1b9f619') return new TokenInfo('WETH', 18, false);
    if (address == '0x1bfd67037b42cf73acf2047067bd4f2c47d9bfd6') return new TokenInfo('WBTC', 8, false);
    if (address == '0x53e0bca35ec356bd5dddfebbd1fc0fd03fabad39') return new TokenInfo('LINK', 18, false);
    if (address == '0x0d500b1d8e8ef31e21c99d1db9a6444d3adf1270') return new TokenInfo('WPOL', 18, false);
    if (address == '0xd6df932a45c0f255f85145f286ea0b292b21c90b') return new TokenInfo('AAVE', 18, false);
    if (address == '0x03b54a6e9a984069379fae1a4fc4dbae93b3bccd') return new TokenInfo('wstETH', 18, false);
    if (address == '0x8f3cf7ad23cd3cadbd9735aff958023239c6a063') return new TokenInfo('DAI', 18, true);
    // The address book's USDCn (native) and USDC (bridged, so USDC.e).
    if (address == '0x3c499c542cef5e3811e1192ce70d8cc03d5c3359') return new TokenInfo('USDC', 6, true);
    if (address == '0x2791bca1f2de4661ed88a30c99a7a9449aa84174') return new TokenInfo('USDC.e', 6, true);
    if (address == '0xc2132d05d31c914a87c6611c10748aeb04b58e8f') return new TokenInfo('USDT0', 6, true);
  } else if (network == 'bsc') {
    if (address == '0xbb4cdb9cbd36b01bd1cbaebf2de08d9173bc095c') return new TokenInfo('WBNB', 18, false);
    if (address == '0x7130d2a12b9bcbfae4f2634d864a1ee1ce3ead9c') return new TokenInfo('BTCB', 18, false);
    if (address == '0x2170ed0880ac9a755fd29b2688956bd959f933f8') return new TokenInfo('ETH', 18, false);
    if (address == '0x26c5e01524d2e6280a48f2c50ff6de7e52e9611c') return new TokenInfo('wstETH', 18, false);
    // BNB Chain's USDC and USDT have 18 decimals.
    if (address == '0x8ac76a51cc950d9822d68b83fe1ad97b32cd580d') return new TokenInfo('USDC', 18, true);
    if (address == '0x55d398326f99059ff775485246999027b3197955') return new TokenInfo('USDT', 18, true);
  } else if (network == 'gnosis') {
    if (address == '0x6a023ccd1ff6f2045c3309768ead9e68f978f6e1') return new TokenInfo('WETH', 18, false);
    if (address == '0x6c76971f98945ae98dd7d4dfca8711ebea946ea6') return new TokenInfo('wstETH', 18, false);
    if (address == '0x9c58bacc331c9aa871afd802db6379a98e80cedb') return new TokenInfo('GNO', 18, false);
    if (address == '0xddafbb505ad214d7b80b1f830fccc89b60fb7a83') return new TokenInfo('USDC', 6, true);
    if (address == '0x2a22f9c3b484c3629090feed35f17ff8f88f76f0') return new TokenInfo('USDC.e', 6, true);
    // Wrapped xDAI: DAI bridged to Gnosis, counted as DAI.
    if (address == '0xe91d153e0b41518a2ce8dd3d7944fa863463a97d') return new TokenInfo('WXDAI', 18, true);
    // A euro token and DAI's savings share: neither is 1.00 USD.
    if (address == '0xcb444e90d8198415266c6a2724b7900fb12fc56e') return new TokenInfo('EURe', 18, false);
    if (address == '0xaf204776c7245bf4147c2612bf6e5972ee483701') return new TokenInfo('sDAI', 18, false);
  } else if (network == 'scroll') {
    if (address == '0x5300000000000000000000000000000000000004') return new TokenInfo('WETH', 18, false);
    if (address == '0x06efdbff2a14a7c8e15944d1f4a48f9f95f663a4') return new TokenInfo('USDC', 6, true);
    if (address == '0xf610a9dfb7c89644979b4a0f27063e9e7d7cda32') return new TokenInfo('wstETH', 18, false);
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
