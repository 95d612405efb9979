/**
 * The HTTP endpoint as graph-node serves it: POST JSON and GET ?query= at
 * /subgraphs/name/<subgraph>/<network>, on 127.0.0.1; and `svr serve` itself
 * (the compiled CLI in a child process).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createSubgraphServer, DeploymentRegistry } from '../../server/subgraph-api';
import { writeFixture } from './fixture';

const ROOT = resolve(__dirname, '..', '..');
const PATH = '/subgraphs/name/api-fixture/testnet';

describe('subgraph API over HTTP', () => {
  let dir: string;
  let registry: DeploymentRegistry;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-http-'));
    writeFixture(dir);
    registry = DeploymentRegistry.scan(dir);
    server = createSubgraphServer(registry);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('POST {query, variables, operationName}', async () => {
    const res = await fetch(base + PATH, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'query A($id: ID!) { position(id: $id) { id size } } query B { _meta { block { number } } }',
        variables: { id: 'p1' },
        operationName: 'A',
      }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ data: { position: { id: 'p1', size: '150' } } });
  });

  test('GET ?query=', async () => {
    const res = await fetch(`${base}${PATH}?query=${encodeURIComponent('{ positions(first: 1) { id } }')}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { positions: [{ id: 'p1' }] } });
  });

  test('the deployment is also served by its id, as graph-node does', async () => {
    const res = await fetch(`${base}/subgraphs/id/QmApiFixture?query=${encodeURIComponent('{ _meta { deployment } }')}`);
    expect(await res.json()).toEqual({ data: { _meta: { deployment: 'QmApiFixture' } } });
  });

  test('GraphQL errors are 200 with errors; unknown subgraph 404; bad body 400', async () => {
    const bad = await fetch(base + PATH, { method: 'POST', body: JSON.stringify({ query: '{ positions(first: 5000) { id } }' }) });
    expect(bad.status).toBe(200);
    expect(await bad.json()).toEqual({ errors: [{ message: 'The `first` argument must be between 0 and 1000, but is 5000' }] });
    const missing = await fetch(base + '/subgraphs/name/nope/testnet', { method: 'POST', body: '{"query":"{ _meta { deployment } }"}' });
    expect(missing.status).toBe(404);
    const notJson = await fetch(base + PATH, { method: 'POST', body: 'query {' });
    expect(notJson.status).toBe(400);
  });
});

const CLI = join(ROOT, 'dist', 'server', 'cli.js');
describe('svr serve (compiled CLI)', () => {
  let dir: string;
  let child: ChildProcess;
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error('dist/ is missing: run `npm test` (it compiles first) or `npm run build:ts`');
  });
  afterAll(() => {
    child?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  test('serves the deployments of a data directory on 127.0.0.1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'svr-serve-'));
    writeFixture(dir);
    child = spawn(process.execPath, [join(ROOT, 'bin', 'svr.js'), 'serve', '--data', dir, '--port', '0'], { cwd: ROOT });
    const url = await new Promise<string>((ok, fail) => {
      let out = '';
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/subgraphs\/name\/api-fixture\/testnet)/.exec(out);
        if (m) ok(m[1]);
      });
      child.stderr!.on('data', (c: Buffer) => fail(new Error(c.toString())));
      child.on('exit', (code) => fail(new Error(`svr serve exited with ${code}: ${out}`)));
    });
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ accounts { id name } }' }) });
    expect(await res.json()).toEqual({ data: { accounts: [{ id: 'a1', name: 'Alice' }, { id: 'a2', name: 'Bob' }, { id: 'a3', name: 'Carol%' }] } });
  });
});
