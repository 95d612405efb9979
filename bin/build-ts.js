#!/usr/bin/env node
'use strict';
// `npm run build` and `npm start`: the resolver types (codegen) and the TypeScript build (tsc) into dist/,
// skipped when none of their inputs changed since the last build that succeeded (a hash of them is kept in
// dist/), so that a restart with nothing changed serves in seconds instead of waiting for tsc.
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const STAMP = join(ROOT, 'dist', '.build-inputs');
const FILES = ['package-lock.json', 'tsconfig.json', 'codegen.yml', 'schema.graphql'];
const FOLDERS = ['server', 'bench', 'test'];
// Not compiled by tsconfig.json, or written by codegen itself from schema.graphql.
const SKIP = new Set(['node_modules', 'fixtures', 'generated', 'build', 'dist']);
const OUTPUTS = [join(ROOT, 'dist', 'server', 'cli.js'), join(ROOT, 'server', 'gateway', 'generated', 'resolvers-types.ts')];

function inputsHash() {
  const hash = createHash('sha256');
  const add = (path) => hash.update(relative(ROOT, path) + '\0').update(readFileSync(path)).update('\0');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (SKIP.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) add(path);
    }
  };
  for (const f of FILES) if (existsSync(join(ROOT, f))) add(join(ROOT, f));
  for (const d of FOLDERS) if (existsSync(join(ROOT, d))) walk(join(ROOT, d));
  return hash.digest('hex');
}

/** A tool of node_modules/.bin (graphql-codegen, tsc), with this Node. */
function run(bin, args) {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', '.bin', bin), ...args], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const hash = inputsHash();
const current = existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && OUTPUTS.every((p) => existsSync(p));
if (current) {
  if (process.argv.includes('--verbose')) process.stdout.write('svr: dist/ is up to date with the sources: no codegen, no tsc\n');
} else {
  run('graphql-codegen', ['--config', 'codegen.yml', '--silent']);
  run('tsc', ['-p', 'tsconfig.json']);
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  writeFileSync(STAMP, hash);
}
