/**
 * graph-node's interface tests (store/test-store/tests/core/interfaces.rs),
 * ported: for each test, a subgraph with its schema and a mapping that
 * writes its entities is compiled by graph-cli and indexed, and graph-node's
 * queries must get graph-node's answers. The mapping is generated from the
 * case's entity list (one `store.set` per entity, values typed by the schema).
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keccak256, toHex } from 'viem';
import { buildSubgraph } from '../../server/compile/graph-build';
import { Deployment, storePath } from '../../server/indexer/deployment';
import { parseSchema, type SubgraphSchema } from '../../server/store/schema';
import { executeRequest, ServedDeployment } from '../../server/subgraph-api';
import { INTERFACE_CASES, type FieldValue, type InterfaceCase } from './graph-node-interfaces.cases';

const NOOP_ABI = join(__dirname, '..', 'fixtures', 'subgraphs', 'block-handlers', 'abis', 'Noop.json');

/** graph-cli 0.98 wants `immutable` on every @entity; graph-node's test schemas leave it out (mutable). */
const forGraphCli = (schema: string) => schema.replace(/@entity(?!\()/g, '@entity(immutable: false)');

function asValue(kind: string, value: FieldValue): string {
  if (value === null) return 'Value.fromNull()';
  if (Array.isArray(value)) return value.length ? `Value.fromArray([${value.map((v) => asValue(kind, v)).join(', ')}])` : 'Value.fromArray(new Array<Value>())';
  switch (kind) {
    case 'String':
      return `Value.fromString(${JSON.stringify(value)})`;
    case 'Int':
      return `Value.fromI32(${value})`;
    case 'Int8':
      return `Value.fromI64(${value})`;
    case 'BigInt':
      return `Value.fromBigInt(BigInt.fromString(${JSON.stringify(String(value))}))`;
    case 'Bytes':
      return `Value.fromBytes(Bytes.fromHexString(${JSON.stringify(value)}))`;
    case 'Bool':
      return `Value.fromBoolean(${value})`;
    default:
      throw new Error(`the port does not write ${kind} values`);
  }
}

function mappingSource(schema: SubgraphSchema, entities: InterfaceCase['entities']): string {
  const lines = entities.map(([type, id, fields]) => {
    const spec = schema.entities.get(type);
    if (!spec) throw new Error(`no entity type ${type}`);
    const sets = [`e.set('id', ${asValue(spec.idType, id)});`];
    for (const [name, value] of Object.entries(fields)) sets.push(`e.set('${name}', ${asValue(spec.fieldsByName.get(name)!.valueKind, value)});`);
    return `  { const e = new Entity(); ${sets.join(' ')} store.set('${type}', '${id}', e); }`;
  });
  return [
    "import { BigInt, Bytes, Entity, Value, ethereum, store } from '@graphprotocol/graph-ts';",
    '',
    '// Written by test/subgraph-api/graph-node-interfaces.test.ts: the entities of one interfaces.rs test, at block 0.',
    'export function handleBlock(block: ethereum.Block): void {',
    '  if (!block.number.isZero()) return;',
    ...lines,
    '}',
    '',
  ].join('\n');
}

function manifest(schema: SubgraphSchema): string {
  return `specVersion: 1.3.0
schema:
  file: ./schema.graphql
dataSources:
  - kind: ethereum
    name: Fixture
    network: mainnet
    source:
      address: "0x00000000000000000000000000000000000000aa"
      abi: Noop
      startBlock: 0
    mapping:
      kind: ethereum/events
      apiVersion: 0.0.9
      language: wasm/assemblyscript
      entities: [${[...schema.entities.keys()].join(', ')}]
      abis:
        - name: Noop
          file: ./abis/Noop.json
      blockHandlers:
        - handler: handleBlock
      file: ./src/mapping.ts
`;
}

const tmp = mkdtempSync(join(tmpdir(), 'svr-gni-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Builds and indexes the case's subgraph; the build is cached by content, so reruns skip graph-cli. */
function deploy(c: InterfaceCase): ServedDeployment {
  const schema = parseSchema(c.schema);
  const dir = join(tmp, c.test, 'subgraph');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'abis'));
  cpSync(NOOP_ABI, join(dir, 'abis', 'Noop.json'));
  writeFileSync(join(dir, 'schema.graphql'), forGraphCli(c.schema) + '\n');
  writeFileSync(join(dir, 'subgraph.yaml'), manifest(schema));
  writeFileSync(join(dir, 'src', 'mapping.ts'), mappingSource(schema, c.entities));
  const dataDir = join(tmp, c.test, 'data');
  const d = new Deployment({ manifestPath: buildSubgraph({ subgraphDir: dir, sourceRoot: dir, network: 'mainnet' }), subgraph: c.test, dataDir });
  d.processBlock({ header: { number: 0n, hash: keccak256(toHex('b0')), parentHash: '0x' + '00'.repeat(32), timestamp: 0n }, logs: [] });
  d.close();
  return ServedDeployment.open(storePath(dataDir, c.test, 'mainnet'), c.test, 'mainnet');
}

describe.each(INTERFACE_CASES.map((c) => [c.test, c] as const))('%s', (_name, c) => {
  let dep: ServedDeployment;
  beforeAll(() => {
    dep = deploy(c);
  }, 300_000);
  afterAll(() => dep?.close());

  test.each(c.queries.map((q, i) => [i + 1, q] as const))('query %i', (_i, q) => {
    const answer = executeRequest(dep, { query: q.query });
    if (q.firstError !== undefined) expect(answer.errors?.[0]?.message).toBe(q.firstError);
    else expect(answer).toEqual(q.result ?? { data: q.data });
  });
});
