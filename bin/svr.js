#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/ (`npm run build:ts`).
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'server', 'cli.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('svr: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
require(entry).main(process.argv);
