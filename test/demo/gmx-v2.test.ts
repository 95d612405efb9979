/**
 * GMX v2 on the demo chain (server/demo/gmx-v2.ts): every log decodes (viem, strict) as an
 * EventLog1 of subgraph/gmx-v2/abis/EventEmitter.json at the real EventEmitter, with
 * keccak256(eventName) as its topic1; each running total (PoolAmountUpdated, OpenInterestUpdated)
 * is the previous one plus the delta; and the compiled subgraph, indexing the files, holds the
 * totals the events state. Magnitudes against server/demo/README.md ("Magnitudes", GMX v2), and
 * the stressed AVAX market crossing 1 / reserve factor in the crash.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { decodeEventLog, keccak256, toHex, type Abi } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { runDemo, type DemoDeploymentResult } from '../../server/demo';
import { EVENT_EMITTER, demoMarketToken } from '../../server/demo/gmx-v2';
import { defaultCrash } from '../../server/demo/prices';
import { START_TIMESTAMP } from '../../server/demo/chain';
import { Deployment } from '../../server/indexer/deployment';
import { indexFiles } from '../../server/indexer/index-files';
import { groupLogsByBlock, readBlockHeaders, readLogs } from '../../server/ingest/ndjson';
import { entity, plain } from '../subgraph/entities';

const ROOT = resolve(__dirname, '../..');
const ABI = JSON.parse(readFileSync(join(ROOT, 'subgraph/gmx-v2/abis/EventEmitter.json'), 'utf8')) as Abi;
const DAYS = 1;
const SEED = 3;
/** GMX v2 liquidity $164M over both networks, 2023-11-17 (server/demo/README.md, "Magnitudes"). */
const CITED_V2_LIQUIDITY_USD = 164e6;

interface Decoded {
  timestamp: bigint;
  block: bigint;
  name: string;
  items: Map<string, unknown>;
}

async function decode(r: DemoDeploymentResult): Promise<Decoded[]> {
  const blocks = groupLogsByBlock(await readBlockHeaders(r.blocksPath), await readLogs(r.logsPath));
  const out: Decoded[] = [];
  for (const b of blocks) {
    for (const log of b.logs) {
      expect(log.address).toBe(EVENT_EMITTER[r.network]);
      const d = decodeEventLog({ abi: ABI, topics: log.topics as [`0x${string}`], data: log.data as `0x${string}`, strict: true });
      expect(d.eventName).toBe('EventLog1');
      const args = d.args as unknown as { eventName: string; eventData: Record<string, { items: Array<{ key: string; value: unknown }> }> };
      expect(log.topics[1]).toBe(keccak256(toHex(args.eventName)));
      const items = new Map<string, unknown>();
      for (const group of Object.values(args.eventData)) for (const item of group.items) items.set(item.key, item.value);
      out.push({ timestamp: b.header.timestamp, block: b.header.number, name: args.eventName, items });
    }
  }
  return out;
}

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'svr-demo-gmx-v2-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

let results: DemoDeploymentResult[];
const dataDir = tempDir();
beforeAll(() => {
  results = runDemo({ out: tempDir(), seed: SEED, days: DAYS, subgraphs: ['gmx-v2'] });
});

test('deterministic: the same seed writes the same bytes', () => {
  const again = runDemo({ out: tempDir(), seed: SEED, days: DAYS, subgraphs: ['gmx-v2'] });
  expect(again.map((r) => [r.network, r.logs])).toEqual(results.map((r) => [r.network, r.logs]));
  for (let i = 0; i < again.length; i++) expect(readFileSync(again[i].logsPath).equals(readFileSync(results[i].logsPath))).toBe(true);
});

const tvlTotal = new Map<string, number>();

it.each(['arbitrum-one', 'avalanche'])('%s: the events are consistent, and the subgraph holds what they state', async (network) => {
  const r = results.find((x) => x.network === network)!;
  const events = await decode(r);
  const names = new Set(events.map((e) => e.name));
  for (const n of ['MarketCreated', 'OraclePriceUpdate', 'PoolAmountUpdated', 'OpenInterestUpdated', 'OpenInterestInTokensUpdated', 'PositionIncrease', 'PositionDecrease']) expect(names).toContain(n);

  // Running totals: each nextValue is the last one plus its delta, never below zero.
  const pools = new Map<string, bigint>();
  const openInterest = new Map<string, bigint>();
  const liquidations: Decoded[] = [];
  for (const e of events) {
    const delta = e.items.get('delta') as bigint;
    const next = e.items.get('nextValue') as bigint;
    if (e.name === 'PoolAmountUpdated') {
      const key = `${e.items.get('market')}:${e.items.get('token')}`.toLowerCase();
      expect(next).toBe((pools.get(key) ?? 0n) + delta);
      expect(next >= 0n).toBe(true);
      pools.set(key, next);
    } else if (e.name === 'OpenInterestUpdated') {
      const key = `${e.items.get('market')}:${e.items.get('isLong')}`.toLowerCase();
      expect(next).toBe((openInterest.get(key) ?? 0n) + delta);
      expect(next >= 0n).toBe(true);
      openInterest.set(key, next);
    } else if (e.name === 'PositionDecrease' && e.items.get('orderType') === 7n) liquidations.push(e);
  }
  expect(liquidations.length).toBe(r.stats.liquidations);
  const crash = defaultCrash(DAYS * 24 * 60);
  const from = BigInt(START_TIMESTAMP + crash.startMinute * 60);
  const to = BigInt(START_TIMESTAMP + (crash.startMinute + crash.minutes) * 60 + 60);
  expect(liquidations.filter((l) => l.timestamp >= from && l.timestamp <= to).length).toBeGreaterThan(0);

  const manifestPath = buildSubgraph({ subgraphDir: join(ROOT, 'subgraph/gmx-v2'), network, sourceRoot: join(ROOT, 'subgraph') });
  const messages: string[] = [];
  const summary = await indexFiles({ manifestPath, subgraph: 'gmx-v2', dataDir, logsPath: r.logsPath, blocksPath: r.blocksPath, onLog: (level, message) => { if (level !== 'debug' && level !== 'info') messages.push(`${level}: ${message}`); } });
  expect(messages).toEqual([]);
  expect(summary.blocksIndexed).toBe(r.blocks);
  const d = new Deployment({ manifestPath, subgraph: 'gmx-v2', dataDir });
  try {
    expect(d.store.errors()).toEqual([]);
    for (const [key, amount] of pools) {
      const [market, token] = key.split(':');
      expect(entity(d, 'CollateralBalance', market + token.slice(2))).toMatchObject({ amount: amount.toString(), priced: true });
    }
    for (const [key, oi] of openInterest) {
      const [market, isLong] = key.split(':');
      const m = entity(d, 'Market', market);
      const side = isLong === 'true' ? m.longOpenInterestUSD : m.shortOpenInterestUSD;
      expect(Number(side)).toBeCloseTo(Number(oi) / 1e30, 4);
    }
    const protocol = entity(d, 'Protocol', 'gmx-v2');
    expect(protocol).toMatchObject({ collateralModel: 'MARKET_POOL', priced: true, cumulativeLiquidationCount: liquidations.length });
    // Pool value a few times open interest, as for GMX v1 (server/demo/README.md, "Magnitudes").
    const poolOverOi = Number(protocol.totalValueLockedUSD) / Number(protocol.totalOpenInterestUSD);
    expect({ network, poolOverOi, within: poolOverOi >= 1.5 && poolOverOi <= 6 }).toEqual({ network, poolOverOi, within: true });
    tvlTotal.set(network, Number(protocol.totalValueLockedUSD));

    if (network === 'avalanche') {
      // The stressed market: above 1 / 0.95 before the crash, below it at some block in it.
      const avax = demoMarketToken('avalanche', 'WAVAX/USD [WAVAX-USDC]');
      expect(entity(d, 'Market', avax)).toMatchObject({ name: 'WAVAX/USD [WAVAX-USDC]', reserveFactorLong: '0.95', reserveFactorSource: 'EVENT' });
      const ratioAt = (block: number) => {
        const m = d.store.getAt('Market', avax, block)!;
        return Number(plain(m.get('totalValueLockedUSD'))) / Number(plain(m.get('totalOpenInterestUSD')));
      };
      const blockAt = (t: bigint) => Number([...events].reverse().find((e) => e.timestamp <= t)!.block);
      expect(ratioAt(blockAt(from - 60n))).toBeGreaterThan(1 / 0.95);
      const during = events.filter((e) => e.timestamp >= from && e.timestamp <= to).map((e) => Number(e.block));
      const lowest = Math.min(...during.filter((_, i) => i % 10 === 0).map(ratioAt));
      expect(lowest).toBeLessThan(1 / 0.95);
    }
  } finally {
    d.close();
  }
});

test('both networks together: GMX v2 liquidity of the order of the cited figure', () => {
  const total = [...tvlTotal.values()].reduce((a, b) => a + b, 0);
  expect(tvlTotal.size).toBe(2);
  expect({ total, within: total >= CITED_V2_LIQUIDITY_USD / 2.5 && total <= CITED_V2_LIQUIDITY_USD * 2.5 }).toEqual({ total, within: true });
});
