/**
 * A deployment store in svr's common schema whose figures the test chooses,
 * written block by block through SqliteStore.commitBlock (the indexer's own
 * write path) while a gateway reads it: the live tests' chain.
 *
 * One Protocol entity, a perpetual with a shared pool (GMX v1's model), so
 * ratio = totalValueLockedUSD / (longOpenInterestUSD + shortOpenInterestUSD)
 * and buffer = totalValueLockedUSD - that sum (server/risk/solvency.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../server/numeric/decimal';
import { COMMON_SCHEMA_PATH } from '../../server/gateway/embedded-sources';
import { decimalFromString } from '../../server/runtime/numbers';
import type { Value } from '../../server/runtime/values';
import { SqliteStore } from '../../server/store/sqlite-store';

const S = (value: string): Value => ({ kind: 'String', value });
const B = (hex: string): Value => ({ kind: 'Bytes', value: Buffer.from(hex.slice(2), 'hex') });
const BI = (value: bigint): Value => ({ kind: 'BigInt', value });
const BD = (text: string): Value => ({ kind: 'BigDecimal', value: decimalFromString(text) });
const I = (value: number): Value => ({ kind: 'Int', value });
const BOOL = (value: boolean): Value => ({ kind: 'Bool', value });
const L = (...value: Value[]): Value => ({ kind: 'List', value });

export interface WrittenBlock {
  number: number;
  hash: string;
  timestamp: number;
}

export class LiveStore {
  readonly path: string;
  private readonly salt = randomBytes(8).toString('hex');
  private last = 0;

  constructor(
    dataDir: string,
    readonly protocol = 'gmx-v1',
    readonly network = 'arbitrum-one',
  ) {
    mkdirSync(join(dataDir, protocol), { recursive: true });
    this.path = join(dataDir, protocol, `${network}.sqlite`);
  }

  /** Each run's hashes differ (a salt), so that crossings claimed in a shared Redis by an earlier run never match. */
  hash(n: number): string {
    return '0x' + (this.salt + n.toString(16).padStart(48, '0')).padStart(64, '0');
  }

  /** Writes block `last + 1` with the Protocol's collateral and open interest (USD, exact text). */
  write(collateralUSD: string, longUSD: string, shortUSD: string): WrittenBlock {
    const number = this.last + 1;
    const store = SqliteStore.open(this.path, readFileSync(COMMON_SCHEMA_PATH, 'utf8'), { deployment: `QmLive${this.salt}`, subgraph: this.protocol, network: this.network, startBlock: 1 });
    const block = { number, hash: this.hash(number), parentHash: this.hash(number - 1), timestamp: 1_700_000_000 + number * 12 };
    try {
      const total = Decimal.parse(longUSD).plus(Decimal.parse(shortUSD)).toString();
      store.commitBlock(
        block,
        [
          {
            kind: number === 1 ? 'insert' : 'overwrite',
            entityType: 'Protocol',
            id: this.protocol,
            data: new Map<string, Value>(
              Object.entries({
                id: S(this.protocol),
                name: S('Live test'),
                slug: S(this.protocol),
                network: S(this.network),
                type: S('PERPETUAL'),
                collateralModel: S('SHARED_POOL'),
                status: S('LIVE'),
                statusSource: S('the live test writer'),
                contract: B('0x489ee077994b6658eafa855c308275ead8097c4a'),
                totalValueLockedUSD: BD(collateralUSD),
                priced: BOOL(true),
                unpricedTokens: L(),
                collateralBalanceIds: L(),
                longOpenInterestUSD: BD(longUSD),
                shortOpenInterestUSD: BD(shortUSD),
                totalOpenInterestUSD: BD(total),
                totalBorrowBalanceUSD: BD('0'),
                totalDepositBalanceUSD: BD('0'),
                marketCount: I(0),
                openPositionCount: I(0),
                cumulativePositionCount: I(0),
                cumulativeLiquidationCount: I(0),
                cumulativeUniqueUsers: I(0),
                lastUpdateBlockNumber: BI(BigInt(number)),
                lastUpdateTimestamp: BI(BigInt(block.timestamp)),
              }),
            ),
          },
        ],
        [],
      );
      store.flush();
    } finally {
      store.close();
    }
    this.last = number;
    return { number, hash: block.hash, timestamp: block.timestamp };
  }
}
