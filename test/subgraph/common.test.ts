/**
 * The code every subgraph shares (subgraph/common), tested once for all of them through the
 * compiled mappings: each subgraph built with graph-cli and run over the demo chain (server/demo),
 * which crosses UTC hours and a UTC day.
 * - snapshots.ts: for every hour and day, a Protocol or Market updated in it has exactly one
 *   snapshot, whose fields equal the entity's as it stood at the interval's last block (the store
 *   keeps every version), and one not updated in it has none.
 * - tokens.ts / token-entity.ts: every Token a subgraph created from the table carries the
 *   table's symbol, decimals and stablecoin flag, and every followed PriceFeed prices the tokens
 *   whose row names its pair.
 * - status.ts: each mapping writes its venue's status with the stated date and source.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kind, parse, type ObjectTypeDefinitionNode } from 'graphql';
import { buildSubgraph } from '../../server/compile/graph-build';
import { runDemo, type DemoDeploymentResult } from '../../server/demo';
import { Deployment } from '../../server/indexer/deployment';
import { indexFiles } from '../../server/indexer/index-files';
import { readBlockHeaders } from '../../server/ingest/ndjson';
import type { EntityData } from '../../server/runtime/values';
import { CHAINLINK_FEEDS } from '../../subgraph/common/chainlink-feeds';
import { TOKENS } from '../../subgraph/common/tokens';
import { plain } from './entities';

const ROOT = resolve(__dirname, '../..');
const SUBGRAPHS = join(ROOT, 'subgraph');
/** One network per subgraph the demo models. */
const DEPLOYMENTS = [
  { subgraph: 'gmx-v1', network: 'arbitrum-one' },
  { subgraph: 'synthetix-perps-v2', network: 'optimism' },
  { subgraph: 'aave-v3', network: 'avalanche' },
];
/** 26 hours from the demo's start (2024-03-01T00:00Z): 27 UTC hours and 2 UTC days. */
const DAYS = 26 / 24;

/** The fields of an entity type in the common schema. */
const SCHEMA = parse(readFileSync(join(SUBGRAPHS, 'schema.graphql'), 'utf8'));
function fieldsOf(type: string): string[] {
  const def = SCHEMA.definitions.find((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === type);
  if (!def) throw new Error(`no type ${type} in subgraph/schema.graphql`);
  return (def.fields ?? []).map((f) => f.name.value);
}

const asJson = (data: EntityData) => Object.fromEntries([...data].map(([k, v]) => [k, plain(v)]));

interface Indexed {
  result: DemoDeploymentResult;
  d: Deployment;
  /** Per block number, its timestamp, ascending. */
  blocks: Array<{ number: number; timestamp: number }>;
}

const dirs: string[] = [];
const indexed = new Map<string, Indexed>();

beforeAll(async () => {
  const out = mkdtempSync(join(tmpdir(), 'svr-common-'));
  dirs.push(out);
  const results = runDemo({ out, seed: 4, days: DAYS, subgraphs: DEPLOYMENTS.map((x) => x.subgraph), networks: DEPLOYMENTS.map((x) => x.network) });
  for (const { subgraph, network } of DEPLOYMENTS) {
    const result = results.find((r) => r.subgraph === subgraph && r.network === network)!;
    const manifestPath = buildSubgraph({ subgraphDir: join(SUBGRAPHS, subgraph), network, sourceRoot: SUBGRAPHS });
    const dataDir = join(out, `${subgraph}-${network}-store`);
    await indexFiles({ manifestPath, subgraph, dataDir, logsPath: result.logsPath, blocksPath: result.blocksPath });
    const d = new Deployment({ manifestPath, subgraph, dataDir });
    const blocks = (await readBlockHeaders(result.blocksPath)).map((h) => ({ number: Number(h.number), timestamp: Number(h.timestamp) }));
    indexed.set(subgraph, { result, d, blocks });
  }
}, 600_000);

afterAll(() => {
  for (const { d } of indexed.values()) d.close();
  dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const SNAPSHOTS = [
  { source: 'Protocol', daily: 'ProtocolDailySnapshot', hourly: 'ProtocolHourlySnapshot', link: 'protocol' },
  { source: 'Market', daily: 'MarketDailySnapshot', hourly: 'MarketHourlySnapshot', link: 'market' },
] as const;
const INTERVALS = [
  { kind: 'daily', field: 'day', seconds: 86400 },
  { kind: 'hourly', field: 'hour', seconds: 3600 },
] as const;

describe.each(DEPLOYMENTS)('the snapshot writer (subgraph/common/snapshots.ts): $subgraph on $network', ({ subgraph }) => {
  test.each(SNAPSHOTS.flatMap((s) => INTERVALS.map((i) => ({ ...s, ...i, type: s[i.kind] }))))(
    '$type: one per $field the $source changed in, equal to the $source at the $field end',
    ({ source, type, link, field, seconds }) => {
      const { d, blocks } = indexed.get(subgraph)!;
      expect(d.store.hasIndexingErrors()).toBe(false);
      // What the snapshot copies: every field of its type but its own id, interval, link and block.
      const own = new Set(['id', field, 'protocol', 'market', 'blockNumber', 'timestamp']);
      const copied = fieldsOf(type).filter((f) => !own.has(f));
      expect(copied.length).toBeGreaterThan(4);

      const first = Math.floor(blocks[0].timestamp / seconds);
      const last = Math.floor(blocks[blocks.length - 1].timestamp / seconds);
      expect(last - first).toBeGreaterThanOrEqual(1); // the run crosses at least one interval boundary
      /** The last block at or before the end of interval `index` (null before the first block). */
      const endBlock = (index: number): number | null => {
        let found: number | null = null;
        for (const b of blocks) if (b.timestamp < (index + 1) * seconds) found = b.number;
        return found;
      };
      const sources = d.store.list(source).map((e) => asJson(e));
      expect(sources.length).toBeGreaterThan(0);
      let checked = 0;
      for (const latest of sources) {
        const id = String(latest.id);
        let before: Record<string, unknown> | null = null;
        for (let index = first; index <= last; index++) {
          const end = endBlock(index)!;
          const at = d.store.getAt(source, id, end);
          const state = at ? asJson(at) : null;
          const snapshot = d.store.getLatest(type, `${id}-${index}`);
          const changed = state !== null && (before === null || state.lastUpdateBlockNumber !== before.lastUpdateBlockNumber);
          if (!changed) {
            expect({ id, index, snapshot: snapshot !== null }).toEqual({ id, index, snapshot: false });
          } else {
            expect({ id, index, snapshot: snapshot !== null }).toEqual({ id, index, snapshot: true });
            const s = asJson(snapshot!);
            expect(s).toEqual({
              id: `${id}-${index}`,
              [field]: index,
              ...(link === 'market' ? { market: id, protocol: state.protocol } : { protocol: id }),
              ...Object.fromEntries(copied.map((f) => [f, state[f]])),
              blockNumber: state.lastUpdateBlockNumber,
              timestamp: state.lastUpdateTimestamp,
            });
            expect(Math.floor(Number(s.timestamp) / seconds)).toBe(index);
            checked++;
          }
          before = state;
        }
      }
      // Every snapshot in the store is one of those checked.
      expect(d.store.list(type).length).toBe(checked);
      expect(checked).toBeGreaterThan(1);
    },
  );
});

describe.each(DEPLOYMENTS)('the token table (subgraph/common/tokens.ts): $subgraph on $network', ({ subgraph, network }) => {
  test('every Token from the table carries its row; every PriceFeed prices the rows naming its pair', () => {
    const { d } = indexed.get(subgraph)!;
    const rows = new Map(TOKENS.filter((t) => t.network === network).map((t) => [t.address, t]));
    const fromTable = d.store
      .list('Token')
      .map((e) => asJson(e))
      .filter((t) => rows.has(String(t.id)));
    expect(fromTable.length).toBeGreaterThan(0);
    for (const t of fromTable) {
      const row = rows.get(String(t.id))!;
      expect(t).toMatchObject({ symbol: row.symbol, decimals: row.decimals, isStablecoin: row.stablecoin });
    }
    const feeds = d.store.list('PriceFeed').map((e) => asJson(e));
    // Synthetix PerpsV2 follows no feed (it prices from its own events); the others do.
    expect(feeds.length > 0).toBe(subgraph !== 'synthetix-perps-v2');
    for (const feed of feeds) {
      const listed = CHAINLINK_FEEDS.find((f) => f.network === network && f.aggregator === feed.id)!;
      const expected = TOKENS.filter((t) => t.network === network && t.feed === listed.pair).map((t) => t.address);
      expect(expected.length).toBeGreaterThan(0);
      expect({ pair: feed.pair, tokens: feed.tokens }).toEqual({ pair: listed.pair, tokens: expected });
    }
  });
});

describe('the venue status (subgraph/common/status.ts): each mapping writes its own', () => {
  // The constants each mapping states, with the sources it cites (docs/methodology.md, "Venue status").
  test.each([
    // 2025-07-09T00:00:00Z = 20278 days x 86400 s: the day of the GLP exploit.
    { subgraph: 'gmx-v1', status: 'PAUSED', statusSince: String(20278 * 86400), statusSource: 'https://gov.gmx.io/t/discussion-resolve-the-distribution-plan-for-the-recovered-funds-from-arbitrum-glp/4678' },
    { subgraph: 'synthetix-perps-v2', status: 'LEGACY', statusSince: undefined, statusSource: 'https://docs.synthetix.io/exchange/perps-v2-optimism/introduction-legacy' },
    { subgraph: 'aave-v3', status: 'LIVE', statusSince: undefined, statusSource: 'bgd-labs/aave-address-book (the Aave v3 Pool of each network, as maintained by Aave governance)' },
  ])('$subgraph: $status', ({ subgraph, status, statusSince, statusSource }) => {
    const { d } = indexed.get(subgraph)!;
    const protocol = asJson(d.store.getLatest('Protocol', subgraph)!);
    expect({ status: protocol.status, statusSince: protocol.statusSince, statusSource: protocol.statusSource }).toEqual({ status, statusSince, statusSource });
  });
});
