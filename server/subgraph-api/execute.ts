/**
 * Runs a GraphQL request against one deployment the way graph-node does:
 * parse, validate (graph-node's rule set), resolve each root field's block
 * constraint before anything is read, then read level by level, one batched
 * SQL statement per field per level (graph-node's prefetch), and finally
 * apply the `subgraphError` policy.
 */
import {
  execute as executeIntrospection,
  GraphQLEnumType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  type EnumValueNode,
  type GraphQLSchema,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getLocation,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isLeafType,
  isObjectType,
  Kind,
  parse,
  validate,
  FieldsOnCorrectTypeRule,
  FragmentsOnCompositeTypesRule,
  KnownArgumentNamesRule,
  KnownDirectivesRule,
  KnownFragmentNamesRule,
  KnownTypeNamesRule,
  LoneAnonymousOperationRule,
  NoFragmentCyclesRule,
  NoUndefinedVariablesRule,
  NoUnusedFragmentsRule,
  NoUnusedVariablesRule,
  OverlappingFieldsCanBeMergedRule,
  PossibleFragmentSpreadsRule,
  ProvidedRequiredArgumentsRule,
  ScalarLeafsRule,
  UniqueArgumentNamesRule,
  UniqueDirectivesPerLocationRule,
  UniqueFragmentNamesRule,
  UniqueOperationNamesRule,
  UniqueVariableNamesRule,
  ValuesOfCorrectTypeRule,
  VariablesAreInputTypesRule,
  VariablesInAllowedPositionRule,
  type ASTVisitor,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLObjectType,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import type { AggregationSpec, FieldSpec, FulltextSpec } from '../store/schema';
import { fulltextTable } from '../store/sqlite-store';
import { fetchAggregation } from './aggregation';
import { fulltextMatch } from './fulltext';
import type { ApiType } from './api-schema';
import type { ResolvedBlock, ServedDeployment } from './deployment';
import { errors, QueryError, type ErrorLocation } from './errors';
import { fetchLevel, type FetchedRow, type FetchRequest, type Link, type Row } from './fetch';
import { DEFAULT_SUBGRAPH_LIMITS, type SubgraphLimits } from './limits';
import { columnToJson, idText, idToSql } from './values';

/**
 * graphql-tools (graph-node's validator) also refuses fields selected inside a
 * scalar or enum field, which graphql-js leaves to ScalarLeafsRule alone:
 * `name { wat }` gets both errors there (query.rs leaf_selection_mismatch).
 */
function FieldsOnLeafTypesRule(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      const type = context.getType();
      const named = type ? getNamedType(type) : undefined;
      if (!named || !isLeafType(named) || !node.selectionSet) return;
      for (const sel of node.selectionSet.selections) {
        if (sel.kind === Kind.FIELD) context.reportError(new GraphQLError(`Cannot query field "${sel.name.value}" on type "${named.name}".`, { nodes: sel }));
      }
    },
  };
}

/** graph-node's validation plan (graphql/src/execution/query.rs GRAPHQL_VALIDATION_PLAN). */
const RULES = [
  UniqueOperationNamesRule,
  LoneAnonymousOperationRule,
  KnownTypeNamesRule,
  FragmentsOnCompositeTypesRule,
  VariablesAreInputTypesRule,
  ScalarLeafsRule,
  FieldsOnCorrectTypeRule,
  FieldsOnLeafTypesRule,
  UniqueFragmentNamesRule,
  KnownFragmentNamesRule,
  NoUnusedFragmentsRule,
  OverlappingFieldsCanBeMergedRule,
  NoFragmentCyclesRule,
  PossibleFragmentSpreadsRule,
  NoUnusedVariablesRule,
  NoUndefinedVariablesRule,
  KnownArgumentNamesRule,
  UniqueArgumentNamesRule,
  UniqueVariableNamesRule,
  ProvidedRequiredArgumentsRule,
  KnownDirectivesRule,
  VariablesInAllowedPositionRule,
  ValuesOfCorrectTypeRule,
  UniqueDirectivesPerLocationRule,
];

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown> | null;
  operationName?: string | null;
}

export interface QueryResult {
  data?: Record<string, unknown>;
  errors?: Array<Record<string, unknown>>;
}

/**
 * A validation error as graph-node sends it: graphql-tools' message and no
 * `locations` (graph-node serializes ValidationError without them). graphql-tools
 * suggests no other names, but keeps the `Did you mean "field { ... }"?` of a
 * missing selection.
 */
function fromValidationError(e: GraphQLError): Record<string, unknown> {
  return { message: / Did you mean "[^"]* \{ \.\.\. \}"\?$/.test(e.message) ? e.message : e.message.replace(/ Did you mean .*\?$/, '') };
}

/** A syntax error keeps its location, as graph-node's parse errors do. */
function fromSyntaxError(e: GraphQLError): Record<string, unknown> {
  return e.locations ? { message: e.message, locations: e.locations.map((l) => ({ line: l.line, column: l.column })) } : { message: e.message };
}

/** Answers graph-node would send with `Graph-Attestable: false`: validation, indexing and indexer-dependent errors. */
const unattestable = new WeakSet<QueryResult>();

export function isAttestable(result: QueryResult): boolean {
  return !unattestable.has(result);
}

function notAttestable(result: QueryResult): QueryResult {
  unattestable.add(result);
  return result;
}

function errorResult(e: unknown): QueryResult {
  if (e instanceof QueryError) return e.attestable ? { errors: [e.toJSON()] } : notAttestable({ errors: [e.toJSON()] });
  if (e instanceof GraphQLError) return { errors: [fromSyntaxError(e)] };
  throw e;
}

/** graph-node's `q::Pos` of a node: where the field's name starts. */
function positionOf(node: FieldNode): ErrorLocation[] | undefined {
  return node.loc ? [getLocation(node.loc.source, node.loc.start)] : undefined;
}

interface Item {
  typeName: string;
  row: Row;
  out: Record<string, unknown>;
}

/** What a query costs: the unit in which its work is bounded (and tests measure it). */
export interface QueryWork {
  statements: number;
  rows: number;
}

/**
 * Fields a query may select once its fragments are expanded, per token of its
 * text (SVR_GRAPHQL_MAX_TOKENS): a document repeats its fragments a few times,
 * a fragment bomb (each level spreading the next twice) exponentially often.
 */
const EXPANDED_FIELDS_PER_TOKEN = 5;

/** A row's share of the result size, in bytes: its values' lengths. */
function rowSize(row: Row): number {
  let size = 16;
  for (const k in row) {
    const v = row[k];
    size += k.length + 8;
    if (typeof v === 'string') size += v.length;
    else if (v instanceof Uint8Array) size += 2 * v.length;
  }
  return size;
}

class Execution {
  private readonly fieldCache = new Map<string, Map<string, FieldNode[]>>();
  private resultSize = 0;
  /** Fields visited by `complexity`, fragments expanded: a fragment spread twice per level doubles them at every level. */
  private expanded = 0;

  constructor(
    readonly dep: ServedDeployment,
    readonly fragments: Record<string, FragmentDefinitionNode>,
    readonly variables: Record<string, unknown>,
    readonly limits: SubgraphLimits,
    readonly work: QueryWork,
  ) {}

  /** Reads one level, counting its statements and rows against the result size limit. */
  fetch(req: FetchRequest): FetchedRow[] {
    return this.counted(fetchLevel(this.dep.api, this.dep.stmts, req), req.apiType.concrete.length);
  }

  /** Counts what reading `rows` took against the work done and the result size limit. */
  private counted(rows: FetchedRow[], statements: number): FetchedRow[] {
    this.work.statements += statements;
    this.work.rows += rows.length;
    for (const r of rows) this.resultSize += rowSize(r.row);
    if (this.resultSize > this.limits.errorResultSize) throw errors.resultTooBig(this.resultSize, this.limits.errorResultSize);
    return rows;
  }

  /**
   * graph-node's complexity (graphql/src/execution/query.rs): a collection
   * field costs `first` (default 100) plus `first` times its selection's cost;
   * a single entity passes its selection's cost through. Also checks the depth.
   */
  complexity(typeName: string, nodes: readonly FieldNode[], depth: number): number {
    if (depth > this.limits.maxDepth) throw errors.tooDeep(this.limits.maxDepth);
    const apiType = this.dep.api.types.get(typeName);
    if (!apiType) return 0;
    let worst = 0;
    // An interface's selection may differ per implementer (inline fragments): the dearest one counts.
    for (const concrete of apiType.isInterface ? apiType.concrete.map((c) => c.name) : [typeName]) {
      const type = this.dep.api.types.get(concrete) ?? apiType;
      let total = 0;
      const fields = this.collect(concrete, nodes.map((n) => n.selectionSet!).filter(Boolean));
      this.expanded += fields.size;
      const maxFields = EXPANDED_FIELDS_PER_TOKEN * this.limits.maxTokens;
      if (this.expanded > maxFields) throw errors.tooManyFields(maxFields);
      for (const [, fieldNodes] of fields) {
        const field = type.fieldsByName.get(fieldNodes[0].name.value);
        if (!field || !this.dep.api.types.has(field.typeName)) continue;
        const child = this.complexity(field.typeName, fieldNodes, depth + 1);
        if (!field.list) total += child;
        else {
          const first = Number(this.args(concrete, fieldNodes[0]).first ?? 100);
          total += first + first * child;
        }
        if (total > this.limits.maxComplexity) return total;
      }
      worst = Math.max(worst, total);
    }
    return worst;
  }

  get schema() {
    return this.dep.api.graphql;
  }

  private applies(condition: string | undefined, runtime: string): boolean {
    if (!condition || condition === runtime) return true;
    const cond = this.schema.getType(condition);
    const rt = this.schema.getType(runtime);
    return !!cond && !!rt && isAbstractType(cond) && isObjectType(rt) && this.schema.isSubType(cond, rt);
  }

  private included(node: { directives?: readonly any[] }): boolean {
    if (!node.directives?.length) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node as FieldNode, this.variables)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, node as FieldNode, this.variables)?.if === false) return false;
    return true;
  }

  collect(runtime: string, sets: readonly SelectionSetNode[], out = new Map<string, FieldNode[]>(), seen = new Set<string>()): Map<string, FieldNode[]> {
    for (const set of sets) {
      for (const sel of set.selections) {
        if (!this.included(sel)) continue;
        if (sel.kind === Kind.FIELD) {
          const key = sel.alias?.value ?? sel.name.value;
          const list = out.get(key);
          if (list) list.push(sel);
          else out.set(key, [sel]);
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          if (this.applies(sel.typeCondition?.name.value, runtime)) this.collect(runtime, [sel.selectionSet], out, seen);
        } else {
          const name = sel.name.value;
          if (seen.has(name)) continue;
          seen.add(name);
          const frag = this.fragments[name];
          if (frag && this.applies(frag.typeCondition.name.value, runtime)) this.collect(runtime, [frag.selectionSet], out, seen);
        }
      }
    }
    return out;
  }

  private fieldsFor(runtime: string, nodes: FieldNode[]): Map<string, FieldNode[]> {
    const key = runtime;
    let cached = this.fieldCache.get(key);
    if (!cached || (cached as any).__nodes !== nodes) {
      cached = this.collect(runtime, nodes.map((n) => n.selectionSet!).filter(Boolean));
      (cached as any).__nodes = nodes;
      this.fieldCache.set(key, cached);
    }
    return cached;
  }

  fieldDef(typeName: string, name: string): GraphQLField<unknown, unknown> {
    return (this.schema.getType(typeName) as GraphQLObjectType).getFields()[name];
  }

  args(typeName: string, node: FieldNode): Record<string, any> {
    return getArgumentValues(this.fieldDef(typeName, node.name.value), node, this.variables);
  }

  collectionArgs(args: Record<string, any>): Pick<FetchRequest, 'where' | 'orderBy' | 'orderDirection' | 'first' | 'skip'> {
    const first = args.first ?? 100;
    const skip = args.skip ?? 0;
    const { maxFirst, maxSkip } = this.limits;
    if (!(first > 0 && first <= maxFirst)) throw errors.range('first', maxFirst, first);
    if (!(skip >= 0 && skip <= maxSkip)) throw errors.range('skip', maxSkip, skip);
    const where = args.where ?? null;
    if (where) checkFilterSize(where, this.limits);
    return { where, orderBy: args.orderBy ?? undefined, orderDirection: args.orderDirection ?? undefined, first, skip };
  }

  /** Fills the selected fields of `items` (all at `block`), reading each reference field for all items at once. */
  complete(items: Item[], nodes: FieldNode[], block: ResolvedBlock): void {
    const batches = new Map<string, { typeName: string; key: string; nodes: FieldNode[]; field: FieldSpec; parents: Item[] }>();
    for (const item of items) {
      const type = this.dep.api.types.get(item.typeName)!;
      for (const [key, fieldNodes] of this.fieldsFor(item.typeName, nodes)) {
        const name = fieldNodes[0].name.value;
        if (name === '__typename') {
          item.out[key] = item.typeName;
          continue;
        }
        const field = type.fieldsByName.get(name)!;
        if (!this.dep.api.types.has(field.typeName)) {
          item.out[key] = name === 'id' ? columnToJson(field, item.row.id) : columnToJson(field, item.row[name]);
          continue;
        }
        item.out[key] = field.list ? [] : null;
        const batchKey = item.typeName + '\0' + key;
        let batch = batches.get(batchKey);
        if (!batch) batches.set(batchKey, (batch = { typeName: item.typeName, key, nodes: fieldNodes, field, parents: [] }));
        batch.parents.push(item);
      }
    }
    for (const batch of batches.values()) this.completeReference(batch, block);
  }

  private completeReference(
    batch: { typeName: string; key: string; nodes: FieldNode[]; field: FieldSpec; parents: Item[] },
    block: ResolvedBlock,
  ): void {
    const { field, parents, key } = batch;
    const child = this.dep.api.types.get(field.typeName)!;
    const parentType = this.dep.api.types.get(batch.typeName)!;
    const aggregation = this.dep.api.subgraph.aggregations.get(field.typeName);
    if (aggregation) {
      // A nested aggregation field (always @derivedFrom a dimension): each parent's rows, read as the root field reads them.
      const args = this.args(batch.typeName, batch.nodes[0]);
      const childItems: Item[] = [];
      for (const p of parents) {
        const own = { [field.derivedFrom!]: idText(parentType.idType, p.row.id) };
        const rows = this.aggregationRows(aggregation, child, { ...args, where: args.where ? { and: [args.where, own] } : own }, block);
        p.out[key] = rows.map((r) => {
          const out: Record<string, unknown> = {};
          childItems.push({ typeName: r.typeName, row: r.row, out });
          return out;
        });
      }
      if (childItems.length) this.complete(childItems, batch.nodes, block);
      return;
    }
    const pairs: Array<[number, string]> = [];
    let link: Link;
    if (field.derivedFrom) {
      parents.forEach((p, i) => pairs.push([i, idText(parentType.idType, p.row.id)]));
      link = { kind: 'derived', back: field.derivedFrom, pairs };
    } else {
      parents.forEach((p, i) => {
        const raw = p.row[field.name];
        if (raw === null || raw === undefined) {
          if (field.list) p.out[key] = null;
          return;
        }
        if (field.list) for (const el of JSON.parse(raw as string) as string[]) pairs.push([i, String(el)]);
        else pairs.push([i, idText(child.idType, raw)]);
      });
      link = { kind: 'ids', pairs };
    }
    if (pairs.length === 0) return;
    const range = field.list ? this.collectionArgs(this.args(batch.typeName, batch.nodes[0])) : {};
    const rows = this.fetch({ apiType: child, block, link, ...range });
    const childItems: Item[] = [];
    for (const r of rows) {
      const parent = parents[r.parent];
      const out: Record<string, unknown> = {};
      if (field.list) (parent.out[key] as unknown[]).push(out);
      else if (parent.out[key] !== null) {
        if (field.derivedFrom) throw errors.ambiguousDerived(field.name, child.name, field.derivedFrom, positionOf(batch.nodes[0]));
        continue;
      } else parent.out[key] = out;
      childItems.push({ typeName: r.typeName, row: r.row, out });
    }
    if (childItems.length) this.complete(childItems, batch.nodes, block);
  }

  rootEntity(rootName: string, apiType: ApiType, many: boolean, node: FieldNode, args: Record<string, any>, block: ResolvedBlock): unknown {
    if (!many) {
      const rows = this.fetch({ apiType, block, link: { kind: 'id', id: idToSql(apiType.idType, args.id) } });
      if (rows.length === 0) return null;
      const item: Item = { typeName: rows[0].typeName, row: rows[0].row, out: {} };
      this.complete([item], [node], block);
      return item.out;
    }
    const rows = this.fetch({ apiType, block, link: { kind: 'root' }, ...this.collectionArgs(args) });
    const items = rows.map((r) => ({ typeName: r.typeName, row: r.row, out: {} as Record<string, unknown> }));
    if (items.length) this.complete(items, [node], block);
    return items.map((i) => i.out);
  }

  /** A fulltext search field: the entities whose searched fields match `text`, best match first. */
  fulltext(spec: FulltextSpec, apiType: ApiType, node: FieldNode, args: Record<string, any>, block: ResolvedBlock): unknown {
    const { where, first, skip } = this.collectionArgs(args);
    const link: Link = { kind: 'fulltext', table: fulltextTable(spec), match: fulltextMatch(String(args.text)) };
    const rows = fetchLevel(this.dep.api, this.dep.stmts, { apiType, block, link, where, first, skip });
    const items = rows.map((r) => ({ typeName: r.typeName, row: r.row, out: {} as Record<string, unknown> }));
    if (items.length) this.complete(items, [node], block);
    return items.map((i) => i.out);
  }

  /** An aggregation's collection field: its rows for `interval`, with the bucket in progress under `current: include`. */
  aggregation(agg: AggregationSpec, apiType: ApiType, node: FieldNode, args: Record<string, any>, block: ResolvedBlock): unknown {
    const items = this.aggregationRows(agg, apiType, args, block).map((r) => ({ typeName: r.typeName, row: r.row, out: {} as Record<string, unknown> }));
    if (items.length) this.complete(items, [node], block);
    return items.map((i) => i.out);
  }

  /** An aggregation's rows for a field's arguments, counted against the limits. */
  private aggregationRows(agg: AggregationSpec, apiType: ApiType, args: Record<string, any>, block: ResolvedBlock): FetchedRow[] {
    const range = this.collectionArgs(args);
    const { rows, statements } = fetchAggregation(this.dep.api, this.dep.stmts, agg, apiType, {
      interval: String(args.interval),
      current: args.current ?? undefined,
      block,
      where: range.where ?? null,
      orderBy: range.orderBy,
      orderDirection: range.orderDirection,
      first: range.first!,
      skip: range.skip!,
    });
    return this.counted(rows, statements);
  }

  meta(nodes: FieldNode[], block: ResolvedBlock): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const firstError = this.dep.firstErrorBlock();
    for (const [key, fieldNodes] of this.collect('_Meta_', nodes.map((n) => n.selectionSet!))) {
      const name = fieldNodes[0].name.value;
      if (name === '__typename') out[key] = '_Meta_';
      else if (name === 'deployment') out[key] = this.dep.deployment;
      else if (name === 'hasIndexingErrors') out[key] = firstError !== null && firstError <= block.number;
      else if (name === 'block') {
        const row = block.hash !== null ? this.dep.block(block.number) : null;
        const b: Record<string, unknown> = {};
        for (const [bk, bn] of this.collect('_Block_', fieldNodes.map((n) => n.selectionSet!))) {
          const bname = bn[0].name.value;
          if (bname === '__typename') b[bk] = '_Block_';
          else if (bname === 'number') b[bk] = block.number;
          else if (bname === 'hash') b[bk] = block.hash;
          else if (bname === 'timestamp') b[bk] = row ? row.timestamp : null;
          else if (bname === 'parentHash') b[bk] = row ? row.parentHash : null;
        }
        out[key] = b;
      }
    }
    return out;
  }
}

/**
 * Checks a `where` value before it is compiled: how deep `and`/`or`/child
 * filters nest and how many conditions it has. SQLite refuses expressions
 * deeper than 1,000, and a filter's SQL grows with its conditions.
 */
function checkFilterSize(where: unknown, limits: SubgraphLimits): void {
  let terms = 0;
  const stack: Array<[unknown, number]> = [[where, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (!value || typeof value !== 'object') continue;
    if (depth > limits.maxFilterDepth) throw errors.filterTooDeep(limits.maxFilterDepth);
    if (Array.isArray(value)) {
      for (const v of value) stack.push([v, depth]);
      continue;
    }
    for (const [key, v] of Object.entries(value)) {
      terms++;
      if (terms > limits.maxFilterTerms) throw errors.filterTooLarge(terms, limits.maxFilterTerms);
      // Nested filters: and/or lists and child filters (`field_`); other objects (_change_block) are values.
      if (key === 'and' || key === 'or' || key.endsWith('_')) stack.push([v, depth + 1]);
    }
  }
}

/** How much memory a cached document is taken to hold: graphql-js keeps ~90 bytes of AST per character of query text. */
const AST_BYTES_PER_CHAR = 100;
/** Parsed documents of at most this many bytes (estimated) are kept, per thread, over all deployments. */
export const PARSE_CACHE_BYTES = 32 * 1024 * 1024;

type Parsed = { document: DocumentNode } | { errors: QueryResult };

/**
 * Parsed and validated documents by schema and query text: clients repeat the
 * same query with new variables. Bounded by bytes (least recently used out
 * first), not by entries: one large document weighs as much as thousands of
 * small ones, and a document of more than an eighth of the budget is not kept.
 */
class ParseCache {
  private readonly entries = new Map<string, { parsed: Parsed; bytes: number }>();
  bytes = 0;
  constructor(readonly budget: number) {}
  get(query: string): Parsed | undefined {
    const hit = this.entries.get(query);
    if (!hit) return undefined;
    this.entries.delete(query);
    this.entries.set(query, hit);
    return hit.parsed;
  }
  set(query: string, parsed: Parsed): void {
    const bytes = query.length * AST_BYTES_PER_CHAR + 256;
    if (bytes > this.budget / 8 || this.entries.has(query)) return;
    while (this.bytes + bytes > this.budget) {
      const [oldest, entry] = this.entries.entries().next().value as [string, { bytes: number }];
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
    this.entries.set(query, { parsed, bytes });
    this.bytes += bytes;
  }
}
const documents = new ParseCache(PARSE_CACHE_BYTES);
/** A number per API schema, to key the documents validated against it. */
const schemaIds = new WeakMap<object, number>();
let schemaCount = 0;

/** The parse cache's bytes in this thread (for tests and metrics). */
export function parseCacheBytes(): number {
  return documents.bytes;
}

function countAliases(document: DocumentNode): number {
  let aliases = 0;
  const stack: SelectionSetNode[] = [];
  for (const d of document.definitions) if ('selectionSet' in d && d.selectionSet) stack.push(d.selectionSet);
  while (stack.length) {
    for (const sel of stack.pop()!.selections) {
      if (sel.kind === Kind.FIELD && sel.alias) aliases++;
      if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) stack.push(sel.selectionSet);
    }
  }
  return aliases;
}

/**
 * The deepest nesting of brackets ({, [, ( outside strings and comments) in a
 * query's text, scanned before parsing: graphql-js parses, validates and
 * coerces values recursively, so a deep enough document (an `and` nested
 * 2,000 levels) overflows the stack instead of failing cleanly.
 */
export function bracketDepth(query: string, max: number): number {
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query.charCodeAt(i);
    if (c === 0x23 /* # */) {
      while (i < query.length && query.charCodeAt(i) !== 0x0a && query.charCodeAt(i) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (query.startsWith('"""', i)) {
        const end = query.indexOf('"""', i + 3);
        i = end < 0 ? query.length : end + 2;
      } else {
        for (i++; i < query.length && query.charCodeAt(i) !== 0x22 && query.charCodeAt(i) !== 0x0a; i++) if (query.charCodeAt(i) === 0x5c) i++;
      }
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > max) return depth;
    } else if (c === 0x7d || c === 0x5d || c === 0x29) depth--;
  }
  return depth;
}

/**
 * graph-node coerces a string literal to an enum when it names one of the
 * enum's values (graphql/src/values/coercion.rs): `interval: "hour"`,
 * `orderDirection: "desc"`. graphql-js takes only enum literals, so such
 * strings become enum literals before validation; other strings stay and
 * are refused as graphql-js refuses them.
 */
function enumsFromStrings(schema: GraphQLSchema, document: DocumentNode): DocumentNode {
  const typeInfo = new TypeInfo(schema);
  return visit(
    document,
    visitWithTypeInfo(typeInfo, {
      StringValue(node): EnumValueNode | undefined {
        const type = typeInfo.getInputType();
        const named = type ? getNamedType(type) : undefined;
        if (named instanceof GraphQLEnumType && !node.block && named.getValue(node.value)) return { kind: Kind.ENUM, value: node.value, loc: node.loc };
        return undefined;
      },
    }),
  );
}

function parseAndValidate(dep: ServedDeployment, query: string, limits: SubgraphLimits): Parsed {
  let schemaId = schemaIds.get(dep.api);
  if (schemaId === undefined) schemaIds.set(dep.api, (schemaId = ++schemaCount));
  const key = `${schemaId}\0${query}`;
  const hit = documents.get(key);
  if (hit) return hit;
  let entry: Parsed;
  try {
    // Selections may nest maxDepth deep; values (filters) within them, two brackets per `and`/`or` level.
    const maxNesting = limits.maxDepth + 2 * limits.maxFilterDepth + 8;
    if (bracketDepth(query, maxNesting) > maxNesting) throw errors.nestedTooDeep(maxNesting);
    // graphql-js stops at maxTokens: a huge document costs no more than the limit to refuse.
    const document = enumsFromStrings(dep.api.graphql, parse(query, { maxTokens: limits.maxTokens }));
    const aliases = countAliases(document);
    if (aliases > limits.maxAliases) throw errors.tooManyAliases(aliases, limits.maxAliases);
    // graphql-tools runs the rules one after another, so its errors come rule by rule (graphql-js interleaves them by position).
    const validation = RULES.flatMap((rule) => validate(dep.api.graphql, document, [rule]));
    entry = validation.length ? { errors: notAttestable({ errors: validation.map(fromValidationError) }) } : { document };
  } catch (e) {
    entry = { errors: errorResult(e) };
  }
  documents.set(key, entry);
  return entry;
}

/**
 * Runs one request in one read transaction, so `_meta` and every level of
 * every root field see the same committed blocks while an indexer writes.
 */
export function executeRequest(dep: ServedDeployment, request: GraphQLRequest, limits: SubgraphLimits = DEFAULT_SUBGRAPH_LIMITS, work: QueryWork = { statements: 0, rows: 0 }): QueryResult {
  if (typeof request.query !== 'string') return { errors: [{ message: 'the request has no `query` string' }] };
  const parsed = parseAndValidate(dep, request.query, limits);
  if ('errors' in parsed) return parsed.errors;
  return dep.readTransaction(() => executeParsed(dep, parsed.document, request, limits, work));
}

function executeParsed(dep: ServedDeployment, document: DocumentNode, request: GraphQLRequest, limits: SubgraphLimits, work: QueryWork): QueryResult {
  const schema = dep.api.graphql;
  const operation = getOperationAST(document, request.operationName ?? undefined);
  if (!operation) {
    return { errors: [{ message: request.operationName ? `Operation name not found \`${request.operationName}\`` : 'Must provide operation name if query contains multiple operations' }] };
  }
  if (operation.operation !== 'query') return { errors: [{ message: `Not supported: Only queries are supported` }] };
  const variables = request.variables;
  if (variables !== undefined && variables !== null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return { errors: [{ message: '`variables` must be a JSON object' }] };
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return { errors: coerced.errors.map(fromValidationError) };
  const fragments: Record<string, FragmentDefinitionNode> = {};
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
  const exec = new Execution(dep, fragments, coerced.coerced, limits, work);

  try {
    const rootFields = exec.collect('Query', [operation.selectionSet]);
    // Refuse what could read too much before reading anything.
    let complexity = 0;
    for (const [, nodes] of rootFields) {
      const root = dep.api.rootFields.get(nodes[0].name.value);
      if (!root) continue;
      const child = exec.complexity(root.type.name, nodes, 2);
      if (!root.many) complexity += child;
      else {
        const first = Number(exec.args('Query', nodes[0]).first ?? 100);
        complexity += first + first * child;
      }
      if (complexity > limits.maxComplexity) throw errors.tooComplex(complexity, limits.maxComplexity);
    }
    // graph-node locates every block before reading anything: a bad block fails the whole query.
    const plan: Array<{ key: string; nodes: FieldNode[]; args: Record<string, any>; block: ResolvedBlock | null }> = [];
    for (const [key, nodes] of rootFields) {
      const name = nodes[0].name.value;
      if (name === '__typename' || name === '__schema' || name === '__type') {
        plan.push({ key, nodes, args: {}, block: null });
        continue;
      }
      const args = exec.args('Query', nodes[0]);
      plan.push({ key, nodes, args, block: dep.resolveBlock(args.block) });
    }
    const data: Record<string, unknown> = {};
    const firstError = dep.firstErrorBlock();
    let indexingError = false;
    const denied = new Set<string>();
    let introspection: Record<string, unknown> | null = null;
    for (const { key, nodes, args, block } of plan) {
      const name = nodes[0].name.value;
      if (name === '__typename') data[key] = 'Query';
      else if (name === '__schema' || name === '__type') {
        introspection ??= runIntrospection(dep, document, operation, coerced.coerced);
        data[key] = introspection[key];
      } else if (name === '_meta') data[key] = exec.meta(nodes, block!);
      else {
        const root = dep.api.rootFields.get(name)!;
        data[key] = root.fulltext
          ? exec.fulltext(root.fulltext, root.type, nodes[0], args, block!)
          : root.aggregation
            ? exec.aggregation(root.aggregation, root.type, nodes[0], args, block!)
            : exec.rootEntity(name, root.type, root.many, nodes[0], args, block!);
        if (firstError !== null && firstError <= block!.number) {
          indexingError = true;
          if (args.subgraphError !== 'allow') denied.add(key);
        }
      }
    }
    if (!indexingError) return { data };
    for (const key of denied) delete data[key];
    const result: QueryResult = {};
    if (Object.keys(data).length) result.data = data;
    result.errors = [errors.indexing().toJSON()];
    return notAttestable(result);
  } catch (e) {
    return errorResult(e);
  }
}

/** `__schema` and `__type` are answered by graphql-js over the same API schema. */
function runIntrospection(
  dep: ServedDeployment,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
): Record<string, unknown> {
  const selections = operation.selectionSet.selections.filter(
    (s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type'),
  );
  const op: OperationDefinitionNode = { ...operation, selectionSet: { ...operation.selectionSet, selections } };
  const doc: DocumentNode = { ...document, definitions: document.definitions.map((d) => (d === operation ? op : d)) };
  const result = executeIntrospection({ schema: dep.api.graphql, document: doc, operationName: operation.name?.value, variableValues: variables }) as {
    data?: Record<string, unknown>;
    errors?: readonly GraphQLError[];
  };
  if (result.errors?.length) throw result.errors[0];
  return result.data ?? {};
}
