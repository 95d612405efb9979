/**
 * The explorer at /graphql for browsers: GraphiQL, bundled (no CDN), reading
 * the schema and its descriptions by introspection from the same endpoint.
 */
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createRoot } from 'react-dom/client';
import 'graphiql/graphiql.css';

const DEFAULT_QUERY = `# svr's gateway: every deployment's Security-to-Value Ratio and the total.
# The Docs panel (the book icon) has every type and field with its description.
{
  ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber timestamp }
  aggregate { protocol ratio bufferUSD complete missingSources }
}
`;

const fetcher = createGraphiQLFetcher({ url: `${location.origin}/graphql` });
createRoot(document.getElementById('graphiql')!).render(<GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} defaultEditorToolsVisibility={false} />);
