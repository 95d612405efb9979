/**
 * Chainlink price feeds on the demo chain: each asset's answer follows the price path the way an
 * OCR feed does, publishing a new round when the price has moved by the deviation threshold
 * since the last answer or when the heartbeat is due (demo parameters below, not any feed's
 * on-chain settings), and every listed aggregator of a network (subgraph/common/chainlink-feeds.ts,
 * real addresses) emits `AnswerUpdated` for the rounds of the asset it prices. Stablecoin feeds
 * answer 1.00 at their heartbeat. The answer in force at each minute is the oracle price that
 * protocols reading Chainlink (Aave v3) see in the demo.
 */
import { parseAbiItem, type AbiEvent } from 'viem';
import { CHAINLINK_FEEDS, type ChainlinkFeed } from '../../subgraph/common/chainlink-feeds';
import { knownToken } from '../../subgraph/common/tokens';
import { START_TIMESTAMP, type DemoTx } from './chain';
import { ASSETS, type Asset, type PricePaths } from './prices';
import { pairAsset } from './tokens';

/** Demo feed parameters: a new round at a 0.5% move or after an hour; stablecoins daily. */
export const FEED_DEVIATION = 0.005;
export const FEED_HEARTBEAT_MINUTES = 60;
export const STABLE_FEED_HEARTBEAT_MINUTES = 24 * 60;
/** The first round of every feed: minute 1, after the protocols' set-up transactions of minute 0. */
export const FIRST_ROUND_MINUTE = 1;

export const ANSWER_UPDATED = parseAbiItem('event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt)') as AbiEvent;

export interface OracleRounds {
  minutes: number;
  /** Per asset, the minutes at which a round is published, ascending. */
  rounds: Record<Asset, number[]>;
  /** Per asset, the answer (USD, 8 decimals) in force at each minute. */
  answers: Record<Asset, Float64Array>;
}

/** The rounds each asset's feed publishes along the price paths. */
export function simulateOracle(paths: PricePaths): OracleRounds {
  const rounds = {} as Record<Asset, number[]>;
  const answers = {} as Record<Asset, Float64Array>;
  for (const asset of ASSETS) {
    const prices = paths.prices[asset];
    const published: number[] = [];
    const inForce = new Float64Array(paths.minutes + 1);
    let last = Math.round(prices[Math.min(FIRST_ROUND_MINUTE, paths.minutes)] * 1e8);
    let lastMinute = FIRST_ROUND_MINUTE;
    published.push(FIRST_ROUND_MINUTE);
    for (let m = 0; m <= paths.minutes; m++) {
      if (m > FIRST_ROUND_MINUTE) {
        const answer = Math.round(prices[m] * 1e8);
        if (Math.abs(answer - last) >= FEED_DEVIATION * last || m - lastMinute >= FEED_HEARTBEAT_MINUTES) {
          last = answer;
          lastMinute = m;
          published.push(m);
        }
      }
      // Before the first round the first answer stands in (the feed predates the demo's chain).
      inForce[m] = last;
    }
    rounds[asset] = published;
    answers[asset] = inForce;
  }
  return { minutes: paths.minutes, rounds, answers };
}

/** The oracle price (USD, 8 decimals) of `asset` at `minute`; stablecoins (null) 1.00. */
export function oraclePrice(oracle: OracleRounds, asset: Asset | null, minute: number): bigint {
  return asset === null ? 10n ** 8n : BigInt(oracle.answers[asset][minute]);
}

/** What a feed's pair follows on the demo chain: a simulated asset, a stablecoin (its tokens are, in the token table), or nothing. */
function feedAsset(feed: ChainlinkFeed): Asset | 'stable' | null {
  if (feed.tokens.length > 0 && feed.tokens.every((t) => knownToken(feed.network, t)?.stablecoin)) return 'stable';
  return pairAsset(feed.pair);
}

/** The `AnswerUpdated` transactions of every listed aggregator on `network`, in the first second of their minute. */
export function feedTransactions(network: string, oracle: OracleRounds): DemoTx[] {
  const txs: DemoTx[] = [];
  for (const feed of CHAINLINK_FEEDS) {
    if (feed.network !== network) continue;
    const asset = feedAsset(feed);
    if (asset === null) continue;
    const minutes: number[] = [];
    if (asset === 'stable') for (let m = FIRST_ROUND_MINUTE; m <= oracle.minutes; m += STABLE_FEED_HEARTBEAT_MINUTES) minutes.push(m);
    else minutes.push(...oracle.rounds[asset]);
    minutes.forEach((minute, i) => {
      const second = minute * 60;
      txs.push({
        second,
        // Before anything else in that second: a keeper acting this minute sees the new round.
        order: -1,
        address: feed.aggregator,
        events: [{ event: ANSWER_UPDATED, args: [oraclePrice(oracle, asset === 'stable' ? null : asset, minute), BigInt(i + 1), BigInt(START_TIMESTAMP + second)] }],
      });
    });
  }
  return txs;
}
