// Chainlink USD price feeds that svr's mappings follow: per network, the aggregator (the contract
// that emits AnswerUpdated, not the EACAggregatorProxy apps read) and the tokens it prices.
// Answers have 8 decimals (../shared/reference/protocols.md, "Chainlink price feeds").
//
// Every address is a real aggregator, cited with the public source it comes from; none is made
// up. Chainlink replaces a feed's aggregator from time to time (the proxy's phase changes); an
// aggregator stops emitting once replaced, and its token's price then stops moving, which the
// Token's lastPriceBlockNumber / lastPriceTimestamp show. Add the new aggregator with its source.
//
// This file is AssemblyScript that is also valid TypeScript: the mappings (gmx-v1, aave-v3) and
// the demo chain (server/demo/chainlink.ts) read the one table. Addresses are lower-case hex.
// Which tokens a feed prices is said once, in the token table (./tokens.ts, its `feed` column).

import { tokensPricedBy } from './tokens';

export class ChainlinkFeed {
  /** The tokens it prices on that network (lower-case addresses): the rows of ./tokens.ts naming its pair. */
  public tokens: string[];
  constructor(
    public network: string,
    /** The feed's pair as its source names it, e.g. "ETH / USD". */
    public pair: string,
    public aggregator: string,
  ) {
    this.tokens = tokensPricedBy(network, pair);
  }
}

// Sources (facts only; each row names its sources in brackets):
// [gmx-arb]  gmx-io/gmx-subgraph `gmx-arbitrum-stats/subgraph.yaml` @ 2e912293c4350b640bd2d49868612591c3e24f43:
//            data sources ChainlinkAggregatorETH/BTC/LINK/UNI/DAI/MIM, abi ChainlinkAggregator, handler
//            for AnswerUpdated, on arbitrum-one.
// [gmx-avax] the same commit, `gmx-avalanche-stats/subgraph.yaml`: ChainlinkAggregatorETH/BTC/AVAX.
// [dune]     duneanalytics/spellbook `models/chainlink/<chain>/chainlink_<chain>_price_feeds_oracle_addresses.sql`,
//            columns (feed_name, decimals, proxy_address, aggregator_address): optimism and avalanche_c
//            @ 337dad641ae61b9c731fc15a78d3d0a1b10378d3, ethereum @ 1291064938420ab56fa2f5d39a7c8e96735a1bac.
// [daimo]    daimo-eth/daimo `packages/daimo-contract/script/chainlink/1-raw-feed-info/feeds-*.json`
//            @ fb36b8bb65393d705579b17769337fa29e6c0113 (Chainlink's feed directory: `contractAddress`
//            beside `proxyAddress`); avalanche @ f41bb721fa471e52de72a5a4a646d3f57d738723.
// [rubi]     RubiconDeFi/rubi-subgraphs `Gladius_Metrics/config/{optimism,arbitrum,mainnet}.json` with
//            `Gladius_Metrics/subgraph.template.yaml` (abi ChainlinkAggregator, AnswerUpdated handler)
//            @ 5558f2b17248b35cf410d48e54544a57d4b7d40d.
// Token addresses: ./tokens.ts (each row cites its source).
//
// Where one feed prices several tokens, the tokens are the same asset: BTC / USD prices WBTC and
// BTC.b (wrapped BTC taken at par with BTC, as GMX's Vault does), USDC / USD prices USDC and the
// bridged USDC.e. Mainnet lists the aggregators of 2024 (the demo chain's time); Chainlink has
// replaced them since (an earlier and a later generation exist), so indexing mainnet history
// outside 2024 needs those generations added. Not listed, so unpriced: mainnet wstETH, cbETH, LDO
// (no USD aggregator found), arbitrum-one FRAX, avalanche MIM.
export const CHAINLINK_FEEDS: ChainlinkFeed[] = [
  // arbitrum-one
  new ChainlinkFeed('arbitrum-one', 'ETH / USD', '0x3607e46698d218b3a5cae44bf381475c0a5e2ca7'), // [gmx-arb, daimo, rubi]
  new ChainlinkFeed('arbitrum-one', 'BTC / USD', '0x942d00008d658dbb40745bbec89a93c253f9b882'), // [gmx-arb, daimo, rubi]
  new ChainlinkFeed('arbitrum-one', 'LINK / USD', '0x9b8ddcf800a7bfcdebad6d65514de59160a2c9cc'), // [gmx-arb, daimo]
  new ChainlinkFeed('arbitrum-one', 'UNI / USD', '0xefc5061b7a8aef31f789f1ba5b3b8256674f2b71'), // [gmx-arb, dune, daimo]
  new ChainlinkFeed('arbitrum-one', 'DAI / USD', '0xfc06bb03a9e1d8033f87ea6a682cbd65477a43b9'), // [gmx-arb, daimo, rubi]
  new ChainlinkFeed('arbitrum-one', 'MIM / USD', '0x0ae17556f9698fc47c365a746ab9cddcb17f3809'), // [gmx-arb]
  new ChainlinkFeed('arbitrum-one', 'USDC / USD', '0x2946220288dbbf77df0030fcecc2a8348cbbe32c'), // [rubi, daimo]
  new ChainlinkFeed('arbitrum-one', 'USDT / USD', '0xcb35fe6e53e71b30301ec4a3948da4ad3c65ace4'), // [rubi, daimo]
  // avalanche
  new ChainlinkFeed('avalanche', 'ETH / USD', '0xefaa69f461e0aaf0be1798b01371daf14ac55ea8'), // [gmx-avax, dune, daimo]
  new ChainlinkFeed('avalanche', 'BTC / USD', '0x154bab1fc1d87ff641eed0e9bc0f8a50d880d2b6'), // [gmx-avax, dune, daimo]
  new ChainlinkFeed('avalanche', 'AVAX / USD', '0x9450a29ef091b625e976ce66f2a5818e20791999'), // [gmx-avax, dune, daimo]
  new ChainlinkFeed('avalanche', 'USDC / USD', '0xfbd998938f8f7210eec3d1e12e80a10972f02aed'), // [dune, daimo]
  // optimism
  new ChainlinkFeed('optimism', 'ETH / USD', '0x02f5e9e9dcc66ba6392f6904d5fcf8625d9b19c9'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'BTC / USD', '0x0c1272d2ac652d10d03bb4deb0d31f15ea3eab2b'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'LINK / USD', '0x5d101824c693c70a68ffc3cdb0cc394f3a4fb9ec'), // [dune, daimo]
  new ChainlinkFeed('optimism', 'OP / USD', '0x4f6dfdfd4d68f68b2692e79f9e94796fc8015770'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'AAVE / USD', '0x81cc0c227bf9bfb8088b14755dfca65f7892203b'), // [dune, daimo]
  new ChainlinkFeed('optimism', 'WSTETH / USD', '0x0d110cc7876d73c3c4190324bcf4c59416bbd259'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'DAI / USD', '0xbce7579e241e5d676c2371dc21891489dacda250'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'USDC / USD', '0xd1cb03cc31caa72d34dba7ebe21897d9580c4af0'), // [dune, daimo, rubi]
  new ChainlinkFeed('optimism', 'USDT / USD', '0xac37790ff4abf9483fae2d1f62fc61fe6b8e4789'), // [dune, daimo, rubi]
  // mainnet (2024 generation)
  new ChainlinkFeed('mainnet', 'ETH / USD', '0xe62b71cf983019bff55bc83b48601ce8419650cc'), // [dune, rubi]
  new ChainlinkFeed('mainnet', 'BTC / USD', '0xdbe1941bfbe4410d6865b9b7078e0b49af144d2d'), // [dune, rubi]
  new ChainlinkFeed('mainnet', 'LINK / USD', '0x20807cf61ad17c31837776fa39847a2fa1839e81'), // [dune]
  new ChainlinkFeed('mainnet', 'AAVE / USD', '0x8116b273cd75d79c382afacc706659ded5e0a59d'), // [dune]
  new ChainlinkFeed('mainnet', 'DAI / USD', '0x478238a1c8b862498c74d0647329aef9ea6819ed'), // [dune, rubi]
  new ChainlinkFeed('mainnet', 'USDC / USD', '0x789190466e21a8b78b8027866cbbdc151542a26c'), // [rubi]
  new ChainlinkFeed('mainnet', 'USDT / USD', '0xa964273552c1dba201f5f000215f5bd5576e8f93'), // [rubi]
];

/** The aggregator that prices `token` on `network`, or null when none is listed. */
export function aggregatorForToken(network: string, token: string): string | null {
  for (let i = 0; i < CHAINLINK_FEEDS.length; i++) {
    let feed = CHAINLINK_FEEDS[i];
    if (feed.network != network) continue;
    for (let j = 0; j < feed.tokens.length; j++) {
      if (feed.tokens[j] == token) return feed.aggregator;
    }
  }
  return null;
}

/** The feed of `aggregator` on `network`, or null. */
export function feedOf(network: string, aggregator: string): ChainlinkFeed | null {
  for (let i = 0; i < CHAINLINK_FEEDS.length; i++) {
    let feed = CHAINLINK_FEEDS[i];
    if (feed.network == network && feed.aggregator == aggregator) return feed;
  }
  return null;
}

/** Chainlink USD feeds answer with 8 decimals. */
export const FEED_DECIMALS = 8;
