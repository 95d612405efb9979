/**
 * A store of someone else's subgraph in the data directory is served at
 * /subgraphs but not adopted as a gateway source: the gateway's answers stay
 * complete, and the server says which deployments are which.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toHex } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { COMMON_SCHEMA_PATH, commonSchemaMismatch } from '../../server/gateway/embedded-sources';
import { Deployment } from '../../server/indexer/deployment';
import { parseSchema } from '../../server/store/schema';
import type { RunningServer } from '../../server/gateway';
import { demoDataDir, post, startDemoGateway } from './demo-stack';

const FOREIGN = join(__dirname, '..', 'fixtures', 'subgraphs', 'api-0.0.6');
let running: RunningServer;

beforeAll(async () => {
  const demo = await demoDataDir();
  const data = mkdtempSync(join(tmpdir(), 'svr-foreign-'));
  mkdirSync(join(data, 'gmx-v1'));
  copyFileSync(join(demo, 'gmx-v1', 'arbitrum-one.sqlite'), join(data, 'gmx-v1', 'arbitrum-one.sqlite'));
  const d = new Deployment({ manifestPath: buildSubgraph({ subgraphDir: FOREIGN, sourceRoot: FOREIGN, network: 'mainnet' }), subgraph: 'someone-else', dataDir: data });
  for (const n of [10, 11]) {
    d.processBlock({ header: { number: BigInt(n), hash: keccak256(toHex(`b${n}`)), parentHash: keccak256(toHex(`b${n - 1}`)), timestamp: BigInt(1000 + n) }, logs: [] });
  }
  d.close();
  running = await startDemoGateway(data);
}, 600_000);

afterAll(async () => {
  await running?.close();
});

test('only the common-schema store is a source; the other is served only, with the reason', async () => {
  expect(running.sources.registry.list().map((s) => `${s.protocol}/${s.network}`)).toEqual(['gmx-v1/arbitrum-one']);
  expect(running.servedOnly).toEqual([{ subgraph: 'someone-else', network: 'mainnet', reason: "not svr's common schema: it has no entity type Protocol" }]);
  const answer = await post(`${running.url}/graphql`, '{ ratios { protocol network complete } aggregate { complete missingSources } }');
  expect(answer.errors).toBeUndefined();
  expect(answer.data!.ratios).toEqual([{ protocol: 'gmx-v1', network: 'arbitrum-one', complete: true }]);
  expect(answer.data!.aggregate).toEqual({ complete: true, missingSources: [] });
  const foreign = await post(`${running.url}/subgraphs/name/someone-else/mainnet`, '{ seens(orderBy: id) { id kind } }');
  expect(foreign.data).toEqual({ seens: [{ id: 'block-10', kind: 'block' }, { id: 'block-11', kind: 'block' }] });
});

test('a store missing one field of the common schema, or with another type for it, is not common', () => {
  const source = readFileSync(COMMON_SCHEMA_PATH, 'utf8');
  expect(commonSchemaMismatch(parseSchema(source))).toBeNull();
  expect(commonSchemaMismatch(parseSchema(source.replace(/\n  totalValueLockedUSD: BigDecimal!/, '\n  renamedTotalValueLockedUSD: BigDecimal!')))).toMatch(/^\w+ has no field totalValueLockedUSD$/);
  expect(commonSchemaMismatch(parseSchema(source.replace(/\n  totalValueLockedUSD: BigDecimal!/, '\n  totalValueLockedUSD: BigInt!')))).toMatch(
    /^\w+\.totalValueLockedUSD is BigInt!, not BigDecimal!$/,
  );
});
