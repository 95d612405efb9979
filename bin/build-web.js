#!/usr/bin/env node
'use strict';
// The browser bundles served by svr: the page at / (web/page) and the GraphiQL explorer at /graphql
// (web/explorer), bundled by esbuild into dist/public/ with every library in them (nothing is loaded from
// elsewhere at run time). Skipped, like bin/build-ts.js, when a hash of the inputs matches the last build.
const { createHash } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const { join, relative } = require('node:path');

const ROOT = join(__dirname, '..');
const WEB = join(ROOT, 'web');
const OUT = join(ROOT, 'dist', 'public');
const STAMP = join(OUT, '.build-inputs');
/** What the served files are: their names are fixed, so server/gateway/web.ts knows them without a manifest. */
const ENTRIES = [
  { in: join(WEB, 'page', 'main.ts'), out: 'page' },
  { in: join(WEB, 'explorer', 'main.tsx'), out: 'explorer' },
];
const HTML = ['page/index.html', 'explorer/index.html'];

function inputsHash() {
  const hash = createHash('sha256');
  const add = (path) => hash.update(relative(ROOT, path) + '\0').update(readFileSync(path)).update('\0');
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else add(path);
    }
  };
  add(join(ROOT, 'package-lock.json'));
  add(__filename);
  walk(WEB);
  return hash.digest('hex');
}

/** Builds dist/public unless it is current; returns true when it built. */
async function buildWeb({ verbose = false } = {}) {
  const hash = inputsHash();
  const outputs = [...ENTRIES.map((e) => join(OUT, 'assets', `${e.out}.js`)), ...HTML.map((h) => join(OUT, h.replace('/index.html', '.html')))];
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash && outputs.every((p) => existsSync(p))) {
    if (verbose) process.stdout.write('svr: dist/public is up to date with web/: no bundling\n');
    return false;
  }
  const esbuild = require('esbuild');
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(join(OUT, 'assets'), { recursive: true });
  await esbuild.build({
    entryPoints: ENTRIES.map((e) => ({ in: e.in, out: e.out })),
    outdir: join(OUT, 'assets'),
    bundle: true,
    minify: true,
    sourcemap: true,
    format: 'iife',
    target: ['chrome110', 'firefox110', 'safari16'],
    // GraphiQL's fonts and images are inlined: the explorer loads nothing but its own two files.
    loader: { '.woff': 'dataurl', '.woff2': 'dataurl', '.ttf': 'dataurl', '.svg': 'dataurl', '.png': 'dataurl' },
    define: { 'process.env.NODE_ENV': '"production"' },
    jsx: 'automatic',
    legalComments: 'linked',
    logLevel: 'warning',
  });
  for (const h of HTML) copyFileSync(join(WEB, h), join(OUT, h.replace('/index.html', '.html')));
  writeFileSync(STAMP, hash);
  return true;
}

module.exports = { buildWeb, OUT };

if (require.main === module) {
  buildWeb({ verbose: process.argv.includes('--verbose') }).catch((e) => {
    process.stderr.write(`svr: bundling web/ failed: ${e.message}\n`);
    process.exit(1);
  });
}
