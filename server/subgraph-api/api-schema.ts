/**
 * The GraphQL schema graph-node serves for a subgraph, generated from the
 * subgraph's schema.graphql as graph-node's graph/src/schema/api.rs does it:
 * per entity type and interface `t(id, block, subgraphError)` and
 * `ts(skip, first, orderBy, orderDirection, where, block, subgraphError)`,
 * a `T_filter` input with every operator for every field, a `T_orderBy`
 * enum with `parent__field` values, collection arguments on list fields of
 * entities, and `_meta`. Alongside the GraphQL schema it keeps what the SQL
 * compiler needs: which field and operator each filter key means.
 */
import { buildSchema, GraphQLScalarType, Kind, type GraphQLSchema, type ValueNode } from 'graphql';
import type { AggregationSpec, EntityTypeSpec, FieldSpec, FulltextSpec, IdType, SubgraphSchema } from '../store/schema';
import { queryFieldNames } from './names';

export type FilterOp =
  | ''
  | 'not'
  | 'gt'
  | 'lt'
  | 'gte'
  | 'lte'
  | 'in'
  | 'not_in'
  | 'contains'
  | 'contains_nocase'
  | 'not_contains'
  | 'not_contains_nocase'
  | 'starts_with'
  | 'starts_with_nocase'
  | 'not_starts_with'
  | 'not_starts_with_nocase'
  | 'ends_with'
  | 'ends_with_nocase'
  | 'not_ends_with'
  | 'not_ends_with_nocase';

export type FilterKey = { kind: 'op'; field: FieldSpec; op: FilterOp } | { kind: 'child'; field: FieldSpec };

/** An entity type or an interface, as the query API sees it. */
export interface ApiType {
  name: string;
  isInterface: boolean;
  /** The concrete entity types: the type itself, or an interface's implementers. */
  concrete: EntityTypeSpec[];
  fields: FieldSpec[];
  fieldsByName: Map<string, FieldSpec>;
  idType: IdType;
  immutable: boolean;
  filterKeys: Map<string, FilterKey>;
}

export interface RootField {
  type: ApiType;
  many: boolean;
  /** A fulltext search field (graph-node's query_field_for_fulltext). */
  fulltext?: FulltextSpec;
  /** An aggregation's collection field (graph-node's query_fields_for_agg_type). */
  aggregation?: AggregationSpec;
}

export interface ApiSchema {
  graphql: GraphQLSchema;
  subgraph: SubgraphSchema;
  types: Map<string, ApiType>;
  rootFields: Map<string, RootField>;
}

const ORDERED = ['', 'not', 'gt', 'lt', 'gte', 'lte', 'in', 'not_in'] as const;
const STRING_OPS: FilterOp[] = [
  ...ORDERED,
  'contains',
  'contains_nocase',
  'not_contains',
  'not_contains_nocase',
  'starts_with',
  'starts_with_nocase',
  'not_starts_with',
  'not_starts_with_nocase',
  'ends_with',
  'ends_with_nocase',
  'not_ends_with',
  'not_ends_with_nocase',
];

/** graph-node's `field_filter_ops` for object and interface types. */
function scalarOps(scalar: string): FilterOp[] {
  switch (scalar) {
    case 'Boolean':
      return ['', 'not', 'in', 'not_in'];
    case 'Bytes':
      return [...ORDERED, 'contains', 'not_contains'];
    case 'ID':
    case 'BigInt':
    case 'BigDecimal':
    case 'Int':
    case 'Int8':
    case 'Timestamp':
      return [...ORDERED];
    case 'String':
      return STRING_OPS;
    default:
      return ['', 'not'];
  }
}

/** graph-node's `field_filter_ops` for aggregation types. */
function aggregationOps(scalar: string): FilterOp[] {
  return ['BigInt', 'BigDecimal', 'Int', 'Int8', 'Timestamp'].includes(scalar) ? ['', 'gt', 'lt', 'gte', 'lte', 'in'] : [''];
}

/** The scalar an id of `type` is filtered with (graph-node's `id_type_as_scalar`). */
function idScalar(idType: IdType): string {
  return idType === 'Int8' ? 'Int' : 'String';
}

const SCALARS = new Set(['ID', 'String', 'Int', 'Int8', 'BigInt', 'BigDecimal', 'Bytes', 'Boolean', 'Timestamp']);

const META_SDL = `
scalar BigDecimal
scalar BigInt
scalar Bytes
"8 bytes signed integer"
scalar Int8
"A string representation of microseconds UNIX timestamp (16 digits)"
scalar Timestamp

"The type for the top-level _meta field"
type _Meta_ {
  block: _Block_!
  deployment: String!
  hasIndexingErrors: Boolean!
}

input BlockChangedFilter {
  number_gte: Int!
}

"The block at which the query should be executed."
input Block_height {
  hash: Bytes
  number: Int
  number_gte: Int
}

type _Block_ {
  hash: Bytes
  number: Int!
  timestamp: Int
  parentHash: Bytes
}

enum _SubgraphErrorPolicy_ {
  allow
  deny
}

"Defines the order direction, either ascending or descending"
enum OrderDirection {
  asc
  desc
}

enum Aggregation_interval {
  hour
  day
}

"Indicates whether the current, partially filled bucket should be included in the response. Defaults to \`exclude\`"
enum Aggregation_current {
  "Exclude the current, partially filled bucket from the response"
  exclude
  "Include the current, partially filled bucket in the response"
  include
}
`;

function parseNumberLike(name: string, allowFloat: boolean) {
  return {
    parseValue(value: unknown): string {
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && (allowFloat || Number.isInteger(value))) return String(value);
      if (typeof value === 'bigint') return value.toString();
      throw new TypeError(`${name} cannot represent value: ${JSON.stringify(value)}`);
    },
    parseLiteral(node: ValueNode): string {
      if (node.kind === Kind.STRING || node.kind === Kind.INT || (allowFloat && node.kind === Kind.FLOAT)) return node.value;
      throw new TypeError(`${name} cannot represent a non-string value`);
    },
  };
}

const SCALAR_IMPL: Record<string, { parseValue(v: unknown): unknown; parseLiteral(n: ValueNode): unknown }> = {
  BigInt: parseNumberLike('BigInt', false),
  BigDecimal: parseNumberLike('BigDecimal', true),
  Int8: parseNumberLike('Int8', false),
  Timestamp: parseNumberLike('Timestamp', false),
  Bytes: {
    parseValue(value) {
      if (typeof value === 'string') return value;
      throw new TypeError(`Bytes cannot represent value: ${JSON.stringify(value)}`);
    },
    parseLiteral(node) {
      if (node.kind === Kind.STRING) return node.value;
      throw new TypeError('Bytes cannot represent a non-string value');
    },
  },
};

export function buildApiSchema(subgraph: SubgraphSchema): ApiSchema {
  const types = new Map<string, ApiType>();
  const kindOf = (name: string): 'entity' | 'interface' | 'enum' | 'scalar' => {
    if (subgraph.entities.has(name)) return 'entity';
    if (subgraph.interfaces.has(name)) return 'interface';
    if (subgraph.enums.has(name)) return 'enum';
    return 'scalar';
  };
  // Timeseries are object types too: graph-node serves their points like any immutable entity.
  for (const e of subgraph.entities.values()) {
    types.set(e.name, {
      name: e.name,
      isInterface: false,
      concrete: [e],
      fields: e.fields,
      fieldsByName: e.fieldsByName,
      idType: e.idType,
      immutable: e.immutable,
      filterKeys: new Map(),
    });
  }
  for (const i of subgraph.interfaces.values()) {
    const concrete = i.implementers.map((n) => subgraph.entities.get(n)!);
    types.set(i.name, {
      name: i.name,
      isInterface: true,
      concrete,
      fields: i.fields,
      fieldsByName: new Map(i.fields.map((f) => [f.name, f])),
      idType: concrete[0]?.idType ?? 'String',
      immutable: concrete.every((c) => c.immutable),
      filterKeys: new Map(),
    });
  }
  const idTypeOf = (name: string) => types.get(name)?.idType ?? 'String';

  const sdl: string[] = [META_SDL];
  for (const [name, values] of subgraph.enums) sdl.push(`enum ${name} {\n${values.map((v) => '  ' + v).join('\n')}\n}`);

  const collectionArgs = (typeName: string) =>
    `(skip: Int = 0, first: Int = 100, orderBy: ${typeName}_orderBy, orderDirection: OrderDirection, where: ${typeName}_filter)`;
  // graph-node's collection arguments of an aggregation (FilterOps::Aggregation), on root and nested fields alike.
  const aggregationArgs = (typeName: string) =>
    `(skip: Int = 0, first: Int = 100, interval: Aggregation_interval!, orderBy: ${typeName}_orderBy, orderDirection: OrderDirection, current: Aggregation_current, where: ${typeName}_filter)`;
  const fieldSdl = (f: FieldSpec) => {
    const k = kindOf(f.typeName);
    const args = subgraph.aggregations.has(f.typeName) ? aggregationArgs(f.typeName) : f.list && (k === 'entity' || k === 'interface') ? collectionArgs(f.typeName) : '';
    return `  ${f.name}${args}: ${f.display}`;
  };

  for (const t of types.values()) {
    if (t.isInterface) sdl.push(`interface ${t.name} {\n${t.fields.map(fieldSdl).join('\n')}\n}`);
    else {
      const spec = t.concrete[0];
      const impl = spec.interfaces.filter((i) => types.has(i));
      sdl.push(`type ${t.name}${impl.length ? ' implements ' + impl.join(' & ') : ''} {\n${t.fields.map(fieldSdl).join('\n')}\n}`);
    }

    // T_orderBy: every field, then `field__child` for single references to non-list, non-entity child fields.
    const orderValues: string[] = [];
    for (const f of t.fields) {
      orderValues.push(f.name);
      const k = kindOf(f.typeName);
      if (!f.list && (k === 'entity' || k === 'interface')) {
        const child = types.get(f.typeName)!;
        for (const cf of child.fields) {
          const ck = kindOf(cf.typeName);
          if (cf.list || ck === 'entity' || ck === 'interface') continue;
          orderValues.push(`${f.name}__${cf.name}`);
        }
      }
    }
    sdl.push(`enum ${t.name}_orderBy {\n${orderValues.map((v) => '  ' + v).join('\n')}\n}`);

    // T_filter
    const inputs: string[] = [];
    const addOps = (f: FieldSpec, ops: FilterOp[], valueType: string, listValue: boolean) => {
      for (const op of ops) {
        const key = op === '' ? f.name : `${f.name}_${op}`;
        const type = listValue ? `[${valueType}!]` : op === 'in' || op === 'not_in' ? `[${valueType}!]` : valueType;
        inputs.push(`  ${key}: ${type}`);
        t.filterKeys.set(key, { kind: 'op', field: f, op });
      }
    };
    const addChild = (f: FieldSpec) => {
      inputs.push(`  ${f.name}_: ${f.typeName}_filter`);
      t.filterKeys.set(`${f.name}_`, { kind: 'child', field: f });
    };
    for (const f of t.fields) {
      const k = kindOf(f.typeName);
      // Nested aggregation fields are filtered by their own `where` argument only.
      if (subgraph.aggregations.has(f.typeName)) continue;
      if (f.list) {
        if (k === 'entity' || k === 'interface') {
          if (!f.derivedFrom) {
            const scalar = idScalar(idTypeOf(f.typeName));
            const nocase = idTypeOf(f.typeName) === 'String';
            addOps(f, nocase ? ['', 'not', 'contains', 'contains_nocase', 'not_contains', 'not_contains_nocase'] : ['', 'not', 'contains', 'not_contains'], scalar, true);
          }
          addChild(f);
        } else {
          const nocase = f.typeName === 'String';
          addOps(f, nocase ? ['', 'not', 'contains', 'contains_nocase', 'not_contains', 'not_contains_nocase'] : ['', 'not', 'contains', 'not_contains'], f.typeName, true);
        }
      } else if (k === 'entity' || k === 'interface') {
        if (!f.derivedFrom) {
          const scalar = idScalar(idTypeOf(f.typeName));
          addOps(f, scalarOps(scalar), scalar, false);
        }
        addChild(f);
      } else if (k === 'enum') {
        addOps(f, ['', 'not', 'in', 'not_in'], f.typeName, false);
      } else if (SCALARS.has(f.typeName)) {
        addOps(f, scalarOps(f.typeName), f.typeName, false);
      }
    }
    inputs.push('  _change_block: BlockChangedFilter', `  and: [${t.name}_filter]`, `  or: [${t.name}_filter]`);
    sdl.push(`input ${t.name}_filter {\n${inputs.join('\n')}\n}`);
  }

  // Aggregations: their type, `T_orderBy` over every field, and `T_filter` over id, timestamp and the dimensions.
  const aggregationTypes: ApiType[] = [];
  for (const agg of subgraph.aggregations.values()) {
    const t: ApiType = {
      name: agg.name,
      isInterface: false,
      concrete: [agg.tables.get(agg.intervals[0])!],
      fields: agg.fields,
      fieldsByName: agg.fieldsByName,
      idType: 'Int8',
      immutable: true,
      filterKeys: new Map(),
    };
    types.set(agg.name, t);
    aggregationTypes.push(t);
    sdl.push(`${agg.description ? JSON.stringify(agg.description) + '\n' : ''}type ${agg.name} {\n${agg.fields.map((f) => `  ${f.name}: ${f.display}`).join('\n')}\n}`);
    // graph-node's add_order_by_type over the fields and aggregates: `dimension__child` for reference dimensions too.
    const orderValues: string[] = [];
    for (const f of agg.fields) {
      orderValues.push(f.name);
      const child = f.reference ? types.get(f.reference) : undefined;
      for (const cf of child?.fields ?? []) {
        if (!cf.list && !types.has(cf.typeName)) orderValues.push(`${f.name}__${cf.name}`);
      }
    }
    sdl.push(`enum ${agg.name}_orderBy {\n${orderValues.map((v) => '  ' + v).join('\n')}\n}`);
    const aggregated = new Set(agg.aggregates.map((a) => a.field.name));
    const inputs: string[] = [];
    for (const f of agg.fields) {
      if (aggregated.has(f.name)) continue;
      const scalar = f.reference ? idScalar(idTypeOf(f.typeName)) : f.typeName;
      for (const op of f.isEnum ? [''] : aggregationOps(scalar)) {
        const key = op === '' ? f.name : `${f.name}_${op}`;
        inputs.push(`  ${key}: ${op === 'in' ? `[${scalar}!]` : scalar}`);
        t.filterKeys.set(key, { kind: 'op', field: f, op: op as FilterOp });
      }
      if (f.reference) {
        inputs.push(`  ${f.name}_: ${f.reference}_filter`);
        t.filterKeys.set(`${f.name}_`, { kind: 'child', field: f });
      }
    }
    inputs.push('  _change_block: BlockChangedFilter', `  and: [${agg.name}_filter]`, `  or: [${agg.name}_filter]`);
    sdl.push(`input ${agg.name}_filter {\n${inputs.join('\n')}\n}`);
  }

  // Query: object types first, then interfaces, then aggregations, fulltext fields and _meta (graph-node's add_query_type).
  const rootFields = new Map<string, RootField>();
  const queryFields: string[] = [];
  const entityTypes = [...types.values()].filter((t) => !subgraph.aggregations.has(t.name));
  const ordered = entityTypes.filter((t) => !t.isInterface).concat(entityTypes.filter((t) => t.isInterface));
  for (const t of ordered) {
    const { singular, plural } = queryFieldNames(t.name);
    queryFields.push(`  ${singular}(id: ID!, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): ${t.name}`);
    queryFields.push(
      `  ${plural}(skip: Int = 0, first: Int = 100, orderBy: ${t.name}_orderBy, orderDirection: OrderDirection, where: ${t.name}_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [${t.name}!]!`,
    );
    rootFields.set(singular, { type: t, many: false });
    rootFields.set(plural, { type: t, many: true });
  }
  for (const t of aggregationTypes) {
    const { plural } = queryFieldNames(t.name);
    queryFields.push(
      `  "Collection of aggregated \`${t.name}\` values"\n  ${plural}${aggregationArgs(t.name).slice(0, -1)}, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [${t.name}!]!`,
    );
    rootFields.set(plural, { type: t, many: true, aggregation: subgraph.aggregations.get(t.name)! });
  }
  for (const spec of subgraph.fulltext) {
    queryFields.push(
      `  ${spec.name}(text: String!, first: Int = 100, skip: Int = 0, block: Block_height, where: ${spec.entity}_filter, subgraphError: _SubgraphErrorPolicy_! = deny): [${spec.entity}!]!`,
    );
    rootFields.set(spec.name, { type: types.get(spec.entity)!, many: true, fulltext: spec });
  }
  queryFields.push('  "Access to subgraph metadata"\n  _meta(block: Block_height): _Meta_');
  sdl.push(`type Query {\n${queryFields.join('\n')}\n}`);

  const graphql = buildSchema(sdl.join('\n\n'));
  for (const [name, impl] of Object.entries(SCALAR_IMPL)) {
    const scalar = graphql.getType(name) as GraphQLScalarType;
    Object.assign(scalar, impl);
  }
  return { graphql, subgraph, types, rootFields };
}
