/**
 * Errors reading a subgraph source. Each carries a code (sent to clients as
 * GraphQL `extensions.code`) and the source it concerns, so a partial answer
 * can name what it left out.
 */
export type SourceErrorCode =
  /** The source did not answer within the per-request timeout. */
  | 'UPSTREAM_TIMEOUT'
  /** The source could not be reached (connection refused, reset, DNS). */
  | 'UPSTREAM_UNREACHABLE'
  /** The source answered with an HTTP error status. */
  | 'UPSTREAM_HTTP_ERROR'
  /** The source answered with something that is not a GraphQL response. */
  | 'UPSTREAM_MALFORMED'
  /** The source answered with GraphQL errors for the query. */
  | 'UPSTREAM_QUERY_ERROR'
  /** The source has no data for what was asked (e.g. a time before its first indexed block). */
  | 'NO_DATA';

export class SourceError extends Error {
  constructor(
    readonly code: SourceErrorCode,
    /** The source, as `protocol/network`. */
    readonly source: string,
    message: string,
    /** Worth retrying: timeouts, connection failures, 5xx and 429. */
    readonly retryable = false,
  ) {
    super(`${source}: ${message}`);
    this.name = 'SourceError';
  }
}
