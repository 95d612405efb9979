/** The gateway's side of the subgraph seam: the endpoint registry, HTTP, the cache, batching, pagination and block pinning. */
export { ResponseCache, type CacheOptions, type CachePolicy, type Cached } from './cache';
export { SourceError, type SourceErrorCode } from './errors';
export { postGraphQL, httpStats, type HttpOptions, type GraphQLResponseBody } from './http';
export { Sources, RequestSources, DEFAULT_READER_OPTIONS, HEAD, blockArgument, gqlString, type BlockPin, type IndexingStatus, type ReadAt, type ReaderOptions, type ReadSet, type RootField } from './reader';
export { PollingHeadFeed, type DeploymentHead, type HeadFeed, type PollingHeadFeedOptions } from './heads';
export { SourceRegistry, sourceKey, type SourceDefinition } from './registry';
