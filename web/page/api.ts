/**
 * The page reads only the public GraphQL API at /graphql: POSTed queries, and
 * the subscriptions over graphql-ws (the graphql-transport-ws protocol) at the
 * same path. What the server has is found out once (capabilities()), so a
 * view says "not available on this server" instead of failing on a field
 * an older or newer server does not have.
 */
import { createClient, type Client } from 'graphql-ws';

export interface GraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}
export interface Answer<T> {
  data: T | null;
  errors: GraphQLError[];
}

export async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<Answer<T>> {
  const res = await fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: T | null; errors?: GraphQLError[] };
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** The fields other parts of svr may or may not serve yet, by what the page does with them. */
export interface Capabilities {
  /** Protocol.status and RatioSnapshot.status (VenueStatus). */
  venueStatus: boolean;
  /** Query.dataset: whether the data is synthetic. */
  dataset: boolean;
  /** Query.alertEvents / firingAlerts / alertRules and Mutation.acknowledgeAlert. */
  alerts: boolean;
  acknowledge: boolean;
  /** Subscription.ratioUpdated / aggregateUpdated / alertEvents. */
  ratioUpdates: boolean;
  alertUpdates: boolean;
}

const INTROSPECTION = `{
  query: __type(name: "Query") { fields { name } }
  mutation: __type(name: "Mutation") { fields { name } }
  subscription: __type(name: "Subscription") { fields { name } }
  protocol: __type(name: "Protocol") { fields { name } }
  snapshot: __type(name: "RatioSnapshot") { fields { name } }
}`;

/** Without introspection (production mode), a field is there when a query naming it passes validation. */
const PROBES = {
  venueStatus: '{ protocols { status { status } } }',
  dataset: '{ dataset { synthetic } }',
  alerts: '{ firingAlerts { id } }',
};

let known: Promise<Capabilities> | null = null;

export function capabilities(): Promise<Capabilities> {
  known ??= discover();
  return known;
}

async function discover(): Promise<Capabilities> {
  const answer = await gql<Record<string, { fields: { name: string }[] } | null>>(INTROSPECTION);
  if (answer.data && answer.data.query) {
    const has = (type: string, field: string) => (answer.data![type]?.fields ?? []).some((f) => f.name === field);
    return {
      venueStatus: has('protocol', 'status') && has('snapshot', 'status'),
      dataset: has('query', 'dataset'),
      alerts: has('query', 'alertEvents') && has('query', 'firingAlerts'),
      acknowledge: has('mutation', 'acknowledgeAlert'),
      ratioUpdates: has('subscription', 'ratioUpdated'),
      alertUpdates: has('subscription', 'alertEvents'),
    };
  }
  const passes = async (query: string) => {
    const a = await gql(query);
    return !a.errors.some((e) => e.extensions?.code === 'GRAPHQL_VALIDATION_FAILED');
  };
  const [venueStatus, dataset, alerts] = await Promise.all([passes(PROBES.venueStatus), passes(PROBES.dataset), passes(PROBES.alerts)]);
  // A mutation is not probed (it would run) and subscriptions cannot be by a POST: the page then polls.
  return { venueStatus, dataset, alerts, acknowledge: alerts, ratioUpdates: false, alertUpdates: false };
}

let client: Client | null = null;

/** The one graphql-ws connection of the page, opened on the first subscription. */
function wsClient(): Client {
  if (!client) {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    client = createClient({ url, lazy: true, retryAttempts: 1_000_000, shouldRetry: () => true });
  }
  return client;
}

/** Subscribes; returns the unsubscribe function. Errors go to onError (the page keeps its last figures). */
export function subscribe<T>(query: string, variables: Record<string, unknown>, onData: (data: T) => void, onError: (message: string) => void): () => void {
  return wsClient().subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.data) onData(result.data as T);
        if (result.errors?.length) onError(result.errors.map((e) => e.message).join('; '));
      },
      error: (e) => onError(e instanceof Error ? e.message : Array.isArray(e) ? e.map((x) => x.message).join('; ') : 'the subscription closed'),
      complete: () => undefined,
    },
  );
}

/** The first error's message, for a view's note. */
export function errorText(errors: GraphQLError[]): string {
  return errors.map((e) => e.message).join(' ');
}
