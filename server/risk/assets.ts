/**
 * Asset identity: which token symbols stand for the same priced asset, so
 * that a move of "ETH" moves WETH on Arbitrum, WETH.e on Avalanche and
 * Synthetix's sETH market alike. One table, read by every figure that names
 * an asset (stress moves, VaR, contagion, asset exposure).
 *
 * A symbol not in the table is its own asset. Liquid staking and restaking
 * tokens (wstETH, cbETH, sAVAX as Benqi's staked AVAX) are distinct assets:
 * they trade at a rate to the underlying that can break, and taking them at
 * par would hide that. Bridged and wrapped tokens (WETH.e, USDC.e, BTC.b) are
 * taken as their asset, as the subgraphs' Chainlink feeds price them
 * (docs/methodology.md, "Chainlink").
 */
const ASSET_OF_SYMBOL: Readonly<Record<string, string>> = {
  ETH: 'ETH',
  WETH: 'ETH',
  'WETH.e': 'ETH',
  sETH: 'ETH',
  BTC: 'BTC',
  WBTC: 'BTC',
  'WBTC.e': 'BTC',
  'BTC.b': 'BTC',
  sBTC: 'BTC',
  AVAX: 'AVAX',
  WAVAX: 'AVAX',
  LINK: 'LINK',
  'LINK.e': 'LINK',
  sLINK: 'LINK',
  USDC: 'USDC',
  'USDC.e': 'USDC',
  USDT: 'USDT',
  'USDT.e': 'USDT',
  DAI: 'DAI',
  'DAI.e': 'DAI',
  OP: 'OP',
  sOP: 'OP',
  sSOL: 'SOL',
  sMATIC: 'MATIC',
};

/** The asset a token symbol stands for (the symbol itself when the table does not list it). */
export function assetOfSymbol(symbol: string): string {
  const s = symbol.trim();
  return ASSET_OF_SYMBOL[s] ?? ASSET_OF_SYMBOL[s.toUpperCase()] ?? s;
}
