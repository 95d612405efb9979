/**
 * The subgraph's schema.graphql read the way graph-node reads it: @entity
 * object types (immutable or not), interfaces, enums, scalar and reference
 * fields, lists, @derivedFrom fields. The store builds its tables from it and
 * validates every entity against it.
 */
import { Kind, parse, type DirectiveNode, type ObjectTypeDefinitionNode, type TypeNode, type ValueNode } from 'graphql';
import type { ValueKind } from '../runtime/values';

export type IdType = 'String' | 'Bytes' | 'Int8';

export const SCALARS = ['ID', 'String', 'Int', 'Int8', 'BigInt', 'BigDecimal', 'Bytes', 'Boolean', 'Timestamp'] as const;
export type ScalarName = (typeof SCALARS)[number];

export interface FieldSpec {
  name: string;
  /** The named type as written: a scalar, an enum, an entity type or an interface. */
  typeName: string;
  nonNull: boolean;
  list: boolean;
  /** The value kind stored for this field (references store the target's id kind). */
  valueKind: ValueKind;
  /** For references: the entity type or interface referred to. */
  reference: string | null;
  /** For @derivedFrom fields: the field on the referenced type that points back. */
  derivedFrom: string | null;
  isEnum: boolean;
  /** GraphQL's type notation, used in graph-node's error messages (`BigInt!`, `[String!]`). */
  display: string;
}

export interface EntityTypeSpec {
  name: string;
  immutable: boolean;
  timeseries: boolean;
  idType: IdType;
  fields: FieldSpec[];
  fieldsByName: Map<string, FieldSpec>;
  interfaces: string[];
  description: string | null;
}

export interface InterfaceSpec {
  name: string;
  fields: FieldSpec[];
  implementers: string[];
}

/** A fulltext search field (`type _Schema_ @fulltext(...)`): one entity type, its String fields searched together. */
export interface FulltextSpec {
  name: string;
  /** graph-node's language code (`en`, `simple`, ...). */
  language: string;
  algorithm: 'rank' | 'proximityRank';
  entity: string;
  fields: string[];
}

export interface SubgraphSchema {
  source: string;
  entities: Map<string, EntityTypeSpec>;
  interfaces: Map<string, InterfaceSpec>;
  enums: Map<string, string[]>;
  fulltext: FulltextSpec[];
  aggregations: Map<string, AggregationSpec>;
}

/** graph-node's AggregationInterval: the intervals it supports, with their lengths in seconds. */
export const AGGREGATION_INTERVALS = { hour: 3600, day: 86400 } as const;
export type AggregationInterval = keyof typeof AGGREGATION_INTERVALS;

export const AGGREGATE_FNS = ['sum', 'count', 'min', 'max', 'first', 'last'] as const;
export type AggregateFn = (typeof AGGREGATE_FNS)[number];

/** One `@aggregate` field of an aggregation. */
export interface AggregateSpec {
  field: FieldSpec;
  fn: AggregateFn;
  /** The source timeseries field aggregated (null for count). */
  arg: FieldSpec | null;
  cumulative: boolean;
}

/**
 * An `@aggregation(intervals, source)` type. Its rows live in one immutable
 * table per interval (graph-node's `<name>_<interval>` tables), each with
 * the aggregation's fields: id, timestamp (the bucket's start), the
 * dimensions (fields without @aggregate) and the aggregates.
 */
export interface AggregationSpec {
  name: string;
  source: EntityTypeSpec;
  intervals: AggregationInterval[];
  fields: FieldSpec[];
  fieldsByName: Map<string, FieldSpec>;
  dimensions: FieldSpec[];
  aggregates: AggregateSpec[];
  tables: Map<AggregationInterval, EntityTypeSpec>;
  description: string | null;
}

const NUMERIC_SCALARS = ['Int', 'Int8', 'BigInt', 'BigDecimal'];

/** graph-node's aggregation validation (graph/src/schema/input/mod.rs), for the subset svr serves. */
function parseAggregation(node: ObjectTypeDefinitionNode, fields: FieldSpec[], entities: Map<string, EntityTypeSpec>): AggregationSpec {
  const name = node.name.value;
  const d = directive(node.directives, 'aggregation')!;
  const sourceArg = argument(d, 'source');
  if (!sourceArg || sourceArg.kind !== Kind.STRING) throw new SchemaError(`@aggregation ${name} needs a \`source\` argument naming a timeseries type`);
  const source = entities.get(sourceArg.value);
  if (!source || !source.timeseries) throw new SchemaError(`@aggregation ${name}: source ${sourceArg.value} must be an @entity(timeseries: true) type`);
  const intervalsArg = argument(d, 'intervals');
  if (!intervalsArg || intervalsArg.kind !== Kind.LIST || intervalsArg.values.length === 0) {
    throw new SchemaError(`@aggregation ${name} needs a non-empty \`intervals\` list`);
  }
  const intervals = intervalsArg.values.map((v) => {
    if (v.kind !== Kind.STRING || !(v.value in AGGREGATION_INTERVALS)) {
      throw new SchemaError(`@aggregation ${name}: intervals are ${Object.keys(AGGREGATION_INTERVALS).join(' and ')}, not ${v.kind === Kind.STRING ? v.value : v.kind}`);
    }
    return v.value as AggregationInterval;
  });
  const byName = new Map(fields.map((f) => [f.name, f]));
  const id = byName.get('id');
  if (!id || id.typeName !== 'Int8' || !id.nonNull) throw new SchemaError(`@aggregation ${name} must have an \`id: Int8!\` field`);
  const ts = byName.get('timestamp');
  if (!ts || ts.typeName !== 'Timestamp' || !ts.nonNull) throw new SchemaError(`@aggregation ${name} must have a \`timestamp: Timestamp!\` field`);
  const dimensions: FieldSpec[] = [];
  const aggregates: AggregateSpec[] = [];
  for (const def of node.fields ?? []) {
    const field = byName.get(def.name.value)!;
    if (field.list || field.derivedFrom) throw new SchemaError(`@aggregation ${name}.${field.name}: list and derived fields are not allowed in aggregations`);
    const agg = directive(def.directives, 'aggregate');
    if (!agg) {
      if (field.name === 'id' || field.name === 'timestamp') continue;
      const src = source.fieldsByName.get(field.name);
      if (!src || src.typeName !== field.typeName || src.list) throw new SchemaError(`@aggregation ${name}: dimension ${field.name} must be a field of ${source.name} with the same type`);
      dimensions.push(field);
      continue;
    }
    const fnArg = argument(agg, 'fn');
    if (!fnArg || fnArg.kind !== Kind.STRING || !(AGGREGATE_FNS as readonly string[]).includes(fnArg.value)) {
      throw new SchemaError(`@aggregation ${name}.${field.name}: fn must be one of ${AGGREGATE_FNS.join(', ')}`);
    }
    const fn = fnArg.value as AggregateFn;
    const cumulativeArg = argument(agg, 'cumulative');
    const cumulative = cumulativeArg?.kind === Kind.BOOLEAN && cumulativeArg.value;
    const argArg = argument(agg, 'arg');
    let arg: FieldSpec | null = null;
    if (argArg || fn !== 'count') {
      if (!argArg || argArg.kind !== Kind.STRING) throw new SchemaError(`@aggregation ${name}.${field.name}: fn ${fn} needs an \`arg\``);
      const src = source.fieldsByName.get(argArg.value);
      // graph-node also takes SQL expressions (\`price * amount\`); svr takes a field of the source only.
      if (!src) {
        throw new SchemaError(
          `@aggregation ${name}.${field.name}: arg \`${argArg.value}\` is not a field of ${source.name}; svr does not support aggregation expressions, only field names`,
        );
      }
      // graph-node: first and last also take Bytes, String and references, kept as they are.
      const passThrough = (fn === 'first' || fn === 'last') && !src.list && !NUMERIC_SCALARS.includes(src.typeName) && src.typeName === field.typeName;
      if (!passThrough) {
        if (src.list || !NUMERIC_SCALARS.includes(src.typeName)) throw new SchemaError(`@aggregation ${name}.${field.name}: arg ${src.name} must be a numeric field`);
        if (!NUMERIC_SCALARS.includes(field.typeName)) throw new SchemaError(`@aggregation ${name}.${field.name}: aggregates must be Int, Int8, BigInt or BigDecimal, not ${field.typeName}`);
        // graph-node's ValueType order: an argument coerces to a larger type only (Int < Int8 < BigInt < BigDecimal).
        if (NUMERIC_SCALARS.indexOf(src.typeName) > NUMERIC_SCALARS.indexOf(field.typeName)) {
          throw new SchemaError(`@aggregation ${name}.${field.name}: arg ${src.name} is a ${src.typeName}, which cannot be aggregated into a ${field.typeName}`);
        }
      }
      arg = src;
    } else if (!NUMERIC_SCALARS.includes(field.typeName)) {
      throw new SchemaError(`@aggregation ${name}.${field.name}: aggregates must be Int, Int8, BigInt or BigDecimal, not ${field.typeName}`);
    }
    aggregates.push({ field, fn, arg, cumulative });
  }
  if (aggregates.length === 0) throw new SchemaError(`@aggregation ${name} must have at least one @aggregate field`);
  const tables = new Map<AggregationInterval, EntityTypeSpec>();
  for (const interval of intervals) {
    if (entities.has(aggregationTable(name, interval))) throw new SchemaError(`@aggregation ${name}: its ${interval} rows' table ${aggregationTable(name, interval)} has the name of an entity type; rename one`);
    tables.set(interval, {
      name: aggregationTable(name, interval),
      immutable: true,
      timeseries: false,
      idType: 'Int8',
      fields,
      fieldsByName: byName,
      interfaces: [],
      description: null,
    });
  }
  return { name, source, intervals, fields, fieldsByName: byName, dimensions, aggregates, tables, description: node.description?.value ?? null };
}

/** The table of an aggregation's rows for one interval. */
export function aggregationTable(aggregation: string, interval: AggregationInterval): string {
  return `${aggregation}_${interval}`;
}

/** graph-node's FulltextLanguage codes (graph/src/schema/input/mod.rs). */
const FULLTEXT_LANGUAGES = ['simple', 'da', 'nl', 'en', 'fi', 'fr', 'de', 'hu', 'it', 'no', 'pt', 'ro', 'ru', 'es', 'sv', 'tr'];

function parseFulltext(d: DirectiveNode, entities: Map<string, EntityTypeSpec>): FulltextSpec {
  const str = (name: string): string => {
    const v = argument(d, name);
    if (!v || (v.kind !== Kind.STRING && v.kind !== Kind.ENUM)) throw new SchemaError(`@fulltext needs a \`${name}\` argument`);
    return v.value;
  };
  const name = str('name');
  const language = str('language');
  if (!FULLTEXT_LANGUAGES.includes(language)) throw new SchemaError(`@fulltext ${name}: language ${language} is not one of ${FULLTEXT_LANGUAGES.join(', ')}`);
  const algorithm = str('algorithm');
  if (algorithm !== 'rank' && algorithm !== 'proximityRank') throw new SchemaError(`@fulltext ${name}: algorithm must be rank or proximityRank, not ${algorithm}`);
  const include = argument(d, 'include');
  if (!include || include.kind !== Kind.LIST || include.values.length !== 1 || include.values[0].kind !== Kind.OBJECT) {
    throw new SchemaError(`@fulltext ${name}: include must list exactly one entity`);
  }
  const obj = include.values[0];
  const entityArg = obj.fields.find((f) => f.name.value === 'entity')?.value;
  const fieldsArg = obj.fields.find((f) => f.name.value === 'fields')?.value;
  if (!entityArg || entityArg.kind !== Kind.STRING || !fieldsArg || fieldsArg.kind !== Kind.LIST) {
    throw new SchemaError(`@fulltext ${name}: include needs an entity and its fields`);
  }
  const type = entities.get(entityArg.value);
  if (!type) throw new SchemaError(`@fulltext ${name}: no entity type ${entityArg.value}`);
  const fields = fieldsArg.values.map((v) => {
    const n = v.kind === Kind.OBJECT ? v.fields.find((f) => f.name.value === 'name')?.value : undefined;
    if (!n || n.kind !== Kind.STRING) throw new SchemaError(`@fulltext ${name}: each field is { name: "..." }`);
    const field = type.fieldsByName.get(n.value);
    if (!field || field.typeName !== 'String' || field.list) throw new SchemaError(`@fulltext ${name}: ${type.name}.${n.value} must be a String field`);
    return n.value;
  });
  return { name, language, algorithm, entity: type.name, fields };
}

export class SchemaError extends Error {
  readonly code = 'INVALID_SCHEMA';
}

function directive(nodes: readonly DirectiveNode[] | undefined, name: string): DirectiveNode | undefined {
  return nodes?.find((d) => d.name.value === name);
}

function argument(d: DirectiveNode | undefined, name: string): ValueNode | undefined {
  return d?.arguments?.find((a) => a.name.value === name)?.value;
}

function unwrap(type: TypeNode): { typeName: string; nonNull: boolean; list: boolean } {
  let nonNull = false;
  let t = type;
  if (t.kind === Kind.NON_NULL_TYPE) {
    nonNull = true;
    t = t.type;
  }
  let list = false;
  if (t.kind === Kind.LIST_TYPE) {
    list = true;
    t = t.type;
    if (t.kind === Kind.NON_NULL_TYPE) t = t.type;
  }
  if (t.kind !== Kind.NAMED_TYPE) throw new SchemaError('nested lists are not supported in subgraph schemas');
  return { typeName: t.name.value, nonNull, list };
}

function display(type: TypeNode): string {
  if (type.kind === Kind.NON_NULL_TYPE) return display(type.type) + '!';
  if (type.kind === Kind.LIST_TYPE) return '[' + display(type.type) + ']';
  return type.name.value;
}

const SCALAR_KIND: Record<ScalarName, ValueKind> = {
  ID: 'String',
  String: 'String',
  Int: 'Int',
  Int8: 'Int8',
  BigInt: 'BigInt',
  BigDecimal: 'BigDecimal',
  Bytes: 'Bytes',
  Boolean: 'Bool',
  Timestamp: 'Timestamp',
};

export function parseSchema(source: string): SubgraphSchema {
  const doc = parse(source);
  const enums = new Map<string, string[]>();
  const objectNodes = [];
  const interfaceNodes = [];
  for (const def of doc.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION) enums.set(def.name.value, (def.values ?? []).map((v) => v.name.value));
    else if (def.kind === Kind.OBJECT_TYPE_DEFINITION) objectNodes.push(def);
    else if (def.kind === Kind.INTERFACE_TYPE_DEFINITION) interfaceNodes.push(def);
  }
  const entityNames = new Set(objectNodes.filter((n) => directive(n.directives, 'entity')).map((n) => n.name.value));
  const aggregationNames = new Set(objectNodes.filter((n) => directive(n.directives, 'aggregation')).map((n) => n.name.value));
  const interfaceNames = new Set(interfaceNodes.map((n) => n.name.value));

  // Id types first: a reference field stores the id type of what it points to.
  const idTypes = new Map<string, IdType>();
  const idTypeOf = (fields: readonly { name: { value: string }; type: TypeNode }[] | undefined, owner: string): IdType => {
    const id = fields?.find((f) => f.name.value === 'id');
    if (!id) throw new SchemaError(`entity type ${owner} has no \`id\` field`);
    const { typeName } = unwrap(id.type);
    if (typeName === 'ID' || typeName === 'String') return 'String';
    if (typeName === 'Bytes') return 'Bytes';
    if (typeName === 'Int8') return 'Int8';
    throw new SchemaError(`entity type ${owner}: \`id\` must be ID, String, Bytes or Int8, not ${typeName}`);
  };
  for (const n of objectNodes) if (entityNames.has(n.name.value)) idTypes.set(n.name.value, idTypeOf(n.fields, n.name.value));
  // An interface need not declare `id` (graph-cli builds `interface Legged { legs: Int }` and graph-node
  // serves it): its ids are its implementers', which must agree.
  for (const n of interfaceNodes) {
    const name = n.name.value;
    if (n.fields?.some((f) => f.name.value === 'id')) {
      idTypes.set(name, idTypeOf(n.fields, name));
      continue;
    }
    const implementers = objectNodes.filter((o) => entityNames.has(o.name.value) && o.interfaces?.some((i) => i.name.value === name));
    const kinds = [...new Set(implementers.map((o) => idTypes.get(o.name.value)!))];
    if (kinds.length > 1) throw new SchemaError(`the implementers of interface ${name} have ids of different types (${kinds.join(', ')}): give them one id type`);
    idTypes.set(name, kinds[0] ?? 'String');
  }

  const fieldSpecs = (fields: readonly any[] | undefined, owner: string): FieldSpec[] =>
    (fields ?? []).map((f) => {
      const { typeName, nonNull, list } = unwrap(f.type);
      const derived = directive(f.directives, 'derivedFrom');
      const derivedField = argument(derived, 'field');
      let valueKind: ValueKind;
      let reference: string | null = null;
      const isEnum = enums.has(typeName);
      if (aggregationNames.has(typeName)) {
        // graph-node's nested aggregation field: the aggregation's rows whose dimension refers to this entity.
        if (!derived || !list) {
          throw new SchemaError(`${owner}.${f.name.value}: a field typed by the aggregation ${typeName} must be a list @derivedFrom one of its dimensions; svr does not store lists of aggregation ids`);
        }
        valueKind = 'Int8';
        reference = typeName;
      } else if ((SCALARS as readonly string[]).includes(typeName)) valueKind = SCALAR_KIND[typeName as ScalarName];
      else if (isEnum) valueKind = 'String';
      else if (entityNames.has(typeName) || interfaceNames.has(typeName)) {
        reference = typeName;
        const idType = idTypes.get(typeName)!;
        valueKind = idType === 'Int8' ? 'Int8' : idType;
      } else throw new SchemaError(`${owner}.${f.name.value} has unknown type ${typeName}`);
      if (derived && (!derivedField || derivedField.kind !== Kind.STRING)) {
        throw new SchemaError(`${owner}.${f.name.value}: @derivedFrom needs a field argument`);
      }
      return {
        name: f.name.value,
        typeName,
        nonNull,
        list,
        valueKind,
        reference,
        derivedFrom: derived ? (derivedField as { value: string }).value : null,
        isEnum,
        display: display(f.type),
      };
    });

  const entities = new Map<string, EntityTypeSpec>();
  for (const n of objectNodes) {
    const d = directive(n.directives, 'entity');
    if (!d) continue;
    const immutable = argument(d, 'immutable');
    const timeseries = argument(d, 'timeseries');
    const fields = fieldSpecs(n.fields, n.name.value);
    for (const f of fields) {
      if (f.name.startsWith('__')) throw new SchemaError(`${n.name.value}.${f.name}: names starting with __ are reserved`);
    }
    const isTimeseries = timeseries?.kind === Kind.BOOLEAN && timeseries.value;
    if (isTimeseries) {
      // graph-node: timeseries are immutable, with an Int8 id and a Timestamp timestamp set by the node.
      if (immutable?.kind === Kind.BOOLEAN && !immutable.value) throw new SchemaError(`timeseries ${n.name.value} cannot be immutable: false`);
      const ts = fields.find((f) => f.name === 'timestamp');
      if (idTypes.get(n.name.value) !== 'Int8') throw new SchemaError(`timeseries ${n.name.value} must have an \`id: Int8!\` field`);
      if (!ts || ts.typeName !== 'Timestamp' || ts.list) throw new SchemaError(`timeseries ${n.name.value} must have a \`timestamp: Timestamp!\` field`);
    }
    entities.set(n.name.value, {
      name: n.name.value,
      immutable: isTimeseries || (immutable?.kind === Kind.BOOLEAN && immutable.value),
      timeseries: isTimeseries,
      idType: idTypes.get(n.name.value)!,
      fields,
      fieldsByName: new Map(fields.map((f) => [f.name, f])),
      interfaces: (n.interfaces ?? []).map((i) => i.name.value),
      description: n.description?.value ?? null,
    });
  }
  const interfaces = new Map<string, InterfaceSpec>();
  for (const n of interfaceNodes) {
    interfaces.set(n.name.value, {
      name: n.name.value,
      fields: fieldSpecs(n.fields, n.name.value),
      implementers: [...entities.values()].filter((e) => e.interfaces.includes(n.name.value)).map((e) => e.name),
    });
  }
  const fulltext = doc.definitions
    .filter((d): d is ObjectTypeDefinitionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION && d.name.value === '_Schema_')
    .flatMap((d) => (d.directives ?? []).filter((x) => x.name.value === 'fulltext').map((x) => parseFulltext(x, entities)));
  const aggregations = new Map<string, AggregationSpec>();
  for (const n of objectNodes) {
    if (!aggregationNames.has(n.name.value)) continue;
    if (entityNames.has(n.name.value)) throw new SchemaError(`${n.name.value} cannot be both an @entity and an @aggregation`);
    aggregations.set(n.name.value, parseAggregation(n, fieldSpecs(n.fields, n.name.value), entities));
  }
  for (const e of entities.values()) {
    for (const f of e.fields) {
      const agg = f.reference ? aggregations.get(f.reference) : undefined;
      if (agg && !agg.dimensions.some((d) => d.name === f.derivedFrom && d.reference === e.name)) {
        throw new SchemaError(`${e.name}.${f.name}: @derivedFrom(field: "${f.derivedFrom}") must name a dimension of ${agg.name} that refers to ${e.name}`);
      }
    }
  }
  return { source, entities, interfaces, enums, fulltext, aggregations };
}
