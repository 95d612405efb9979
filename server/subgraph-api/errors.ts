/**
 * Query errors with graph-node's messages (graph/src/data/query/error.rs).
 * `extensions.code` says what kind of error it is; graph-node sends only
 * `message` (and `locations` for some), which svr keeps identical.
 */
export interface ErrorLocation {
  line: number;
  column: number;
}

/** Codes of errors graph-node does not mark attestable (graph/src/data/query/error.rs is_attestable): they depend on the indexer, not only on the query. */
const NOT_ATTESTABLE = new Set(['RANGE_ARGUMENT_ERROR', 'AMBIGUOUS_DERIVED', 'INDEXING_ERROR', 'DEPLOYMENT_NOT_FOUND']);

export class QueryError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly locations?: ErrorLocation[],
  ) {
    super(message);
  }

  get attestable(): boolean {
    return !NOT_ATTESTABLE.has(this.code);
  }

  toJSON(): Record<string, unknown> {
    return this.locations ? { message: this.message, locations: this.locations } : { message: this.message };
  }
}

export const errors = {
  valueParse: (what: string, detail: string) => new QueryError(`Failed to decode \`${what}\` value: \`${detail}\``, 'VALUE_PARSE_ERROR'),
  range: (arg: string, max: number, actual: number) =>
    new QueryError(`The \`${arg}\` argument must be between 0 and ${max}, but is ${actual}`, 'RANGE_ARGUMENT_ERROR'),
  entityField: (entity: string, attr: string) => new QueryError(`Entity \`${entity}\` has no attribute \`${attr}\``, 'ENTITY_FIELD_ERROR'),
  orderByNotSupported: (entity: string, field: string) =>
    new QueryError(`Ordering by \`${field}\` is not supported for type \`${entity}\``, 'ORDER_BY_NOT_SUPPORTED'),
  childFilterNesting: (value: string, filter: string) =>
    new QueryError(`Child filter nesting not supported by value \`${value}\`: \`${filter}\``, 'CHILD_FILTER_NESTING'),
  orMixed: (fields: string[]) => {
    const list = fields.join(', ');
    return new QueryError(
      `Cannot mix column filters with 'or' operator at the same level. Found column filter(s) ${list} alongside 'or' operator.\n\n` +
        `Instead of:\nwhere: { ${list}, or: [...] }\n\nUse:\nwhere: { or: [{ ${list}, ... }, { ${list}, ... }] }`,
      'INVALID_OR_FILTER',
    );
  },
  ambiguousDerived: (field: string, type: string, via: string, locations?: ErrorLocation[]) =>
    new QueryError(`Ambiguous result for derived field \`${field}\`: Multiple \`${type}\` entities refer back via \`${via}\``, 'AMBIGUOUS_DERIVED', locations),
  indexing: () => new QueryError('indexing_error', 'INDEXING_ERROR'),
  notFound: (what: string) => new QueryError(`deployment \`${what}\` does not exist`, 'DEPLOYMENT_NOT_FOUND'),
  // Limits: graph-node's wording where it has one (TooComplex, TooDeep, Timeout, ResultTooBig, Throttled).
  tooComplex: (complexity: number, max: number) =>
    new QueryError(
      `query potentially returns \`${complexity}\` entities or more and thereby exceeds the limit of \`${max}\` entities. ` +
        'Possible solutions are reducing the depth of the query, querying fewer relationships or using `first` to return smaller collections',
      'TOO_COMPLEX',
    ),
  tooDeep: (max: number) => new QueryError(`query has a depth that exceeds the limit of \`${max}\``, 'TOO_DEEP'),
  timeout: () => new QueryError('Query timed out', 'QUERY_TIMEOUT'),
  resultTooBig: (actual: number, limit: number) => new QueryError(`the result size of ${actual} is larger than the allowed limit of ${limit}`, 'RESULT_TOO_BIG'),
  throttled: () => new QueryError('service is overloaded and can not run the query right now. Please try again in a few minutes', 'THROTTLED'),
  // Limits graph-node does not have: svr's wording.
  tooManyFields: (max: number) => new QueryError(`query selects more than ${max} fields once its fragments are expanded; spread fragments fewer times`, 'TOO_MANY_FIELDS'),
  tooManyAliases: (count: number, max: number) => new QueryError(`query has ${count} aliases, more than the limit of ${max}; split it into several queries`, 'TOO_MANY_ALIASES'),
  clientBusy: (client: string, max: number) =>
    new QueryError(`${client} has ${max} queries running or waiting, its limit; send the next once one is answered (retry after the Retry-After seconds)`, 'CLIENT_BUSY'),
  nestedTooDeep: (max: number) => new QueryError(`query nests brackets more than ${max} levels deep; flatten it`, 'NESTED_TOO_DEEP'),
  filterTooDeep: (max: number) => new QueryError(`a \`where\` filter nests \`and\`/\`or\`/child filters more than ${max} levels deep; flatten it`, 'FILTER_TOO_DEEP'),
  filterTooLarge: (terms: number, max: number) => new QueryError(`a \`where\` filter has ${terms} conditions, more than the limit of ${max}; use \`_in\` lists or split the query`, 'FILTER_TOO_LARGE'),
  storeUnavailable: (deployment: string, reason: string) =>
    new QueryError(`deployment \`${deployment}\` cannot be served: ${reason}`, 'STORE_UNAVAILABLE'),
};
