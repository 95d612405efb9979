/**
 * The gateway's schema as an Apollo Federation 2 subgraph: its SDL carries
 * entity keys on Protocol, Token and Account; it composes with another team's
 * subgraph that extends Account; and the running server resolves entities by
 * key through `_entities`, the way a router asks it.
 */
import { composeServices } from '@apollo/composition';
import { parse, print } from 'graphql';
import pino from 'pino';
import { federatedTypeDefs, startServer, type RunningServer } from '../../server/gateway';
import { loadConfig } from '../../server/gateway/config';
import { demoDataDir, post } from './demo-stack';

/** Another team's subgraph: a portfolio app that knows accounts and adds its own field. */
const PORTFOLIO_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
  type Account @key(fields: "id") {
    id: String!
    label: String
  }
  type Query {
    watchlist: [Account!]!
  }
`;

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ dataDir: await demoDataDir(), port: 0, host: '127.0.0.1', config: loadConfig({ env: {} }), federation: true, logger: pino({ level: 'silent' }) });
}, 600_000);
afterAll(async () => server?.close());

test('the federated SDL has entity keys on Protocol, Token and Account', async () => {
  const sdl = print(federatedTypeDefs());
  for (const type of ['Protocol', 'Token', 'Account']) expect(sdl).toMatch(new RegExp(`type ${type} @key\\(fields: "id"\\)`));
  const served = await post(`${server.url}/graphql`, '{ _service { sdl } }');
  expect(served.errors).toBeUndefined();
  // @apollo/subgraph 2.14 prints the directive on a line of its own.
  expect(served.data!._service.sdl).toMatch(/type Account\s+@key\(fields: "id"\)/);
});

test('it composes with another subgraph into one supergraph', async () => {
  const svrSdl = (await post(`${server.url}/graphql`, '{ _service { sdl } }')).data!._service.sdl as string;
  const result = composeServices([
    { name: 'svr', typeDefs: parse(svrSdl), url: `${server.url}/graphql` },
    { name: 'portfolio', typeDefs: parse(PORTFOLIO_SDL), url: 'http://127.0.0.1:1/graphql' },
  ]);
  expect(result.errors ?? []).toEqual([]);
  const supergraph = result.supergraphSdl!;
  // Account joins both: svr's exposure and the portfolio's label.
  const account = /type Account[^{]*\{([^}]*)\}/.exec(supergraph)![1];
  expect(account).toMatch(/exposure: AccountExposure!/);
  expect(account).toMatch(/label: String/);
  expect(supergraph).toMatch(/ratios\(/);
  expect(supergraph).toMatch(/watchlist: \[Account!\]!/);
});

test('the server resolves entities by key, as a router asks it', async () => {
  const answer = await post(
    `${server.url}/graphql`,
    `query ($r: [_Any!]!) { _entities(representations: $r) {
       ... on Protocol { id deployments { network } }
       ... on Account { id exposure { complete positions { protocol } } }
       ... on Token { id exposure { channels { protocol network } } } } }`,
    {
      r: [
        { __typename: 'Protocol', id: 'gmx-v1' },
        { __typename: 'Account', id: '0x00000000000000000000000000000000000000AB' },
        { __typename: 'Token', id: 'ETH' },
        { __typename: 'Protocol', id: 'no-such-protocol' },
      ],
    },
  );
  expect(answer.errors).toBeUndefined();
  const [protocol, account, token, unknown] = answer.data!._entities;
  expect(protocol.deployments.map((d: any) => d.network)).toEqual(['arbitrum-one', 'avalanche']);
  expect(account).toEqual({ id: '0x00000000000000000000000000000000000000ab', exposure: { complete: true, positions: [] } });
  expect(token.exposure.channels.length).toBeGreaterThan(0);
  expect(unknown).toBeNull();
});
