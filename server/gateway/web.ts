/**
 * The browser files svr serves: the page at / and the GraphiQL explorer that
 * a browser gets at /graphql, both bundled by bin/build-web.js from web/ into
 * dist/public/ (every library inside them: nothing is loaded from elsewhere).
 * Files are read once and kept; a missing bundle is answered with what to run.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PROJECT_ROOT } from '../paths';

export const PUBLIC_DIR = join(PROJECT_ROOT, 'dist', 'public');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** What the page's files may load: only this origin (the bundles, /graphql and its WebSocket). */
const CSP = "default-src 'self'; img-src 'self' data:; font-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:; frame-ancestors 'none'";

interface File {
  body: Buffer;
  type: string;
}

export class WebFiles {
  private readonly files = new Map<string, File>();

  constructor(readonly dir: string = PUBLIC_DIR) {
    if (!existsSync(dir)) return;
    const add = (name: string, path: string) => {
      const ext = name.slice(name.lastIndexOf('.'));
      const type = TYPES[ext];
      if (type) this.files.set(name, { body: readFileSync(path), type });
    };
    for (const name of readdirSync(dir)) if (name.endsWith('.html')) add(name, join(dir, name));
    const assets = join(dir, 'assets');
    if (existsSync(assets)) for (const name of readdirSync(assets)) add(`assets/${name}`, join(assets, name));
  }

  /** True when the page's bundle is there. */
  get built(): boolean {
    return this.files.has('page.html');
  }

  /** Answers GET/HEAD of a file by name (page.html, explorer.html, assets/page.js); false when there is no such file. */
  send(req: IncomingMessage, res: ServerResponse, name: string): boolean {
    const file = this.files.get(name);
    if (!file) {
      if (name.endsWith('.html') && !this.built) {
        const text = `svr's browser files are not built (no ${join(this.dir, name)}): run \`npm run build\` (or \`node bin/build-web.js\`), then restart.\n`;
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
        res.end(req.method === 'HEAD' ? undefined : text);
        return true;
      }
      return false;
    }
    // Names are fixed across builds, so the browser asks again each time (a 304 is cheap; a stale bundle is not).
    res.writeHead(200, { 'content-type': file.type, 'content-length': file.body.length, 'cache-control': 'no-cache', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' });
    res.end(req.method === 'HEAD' ? undefined : file.body);
    return true;
  }
}

/** A browser asking for /graphql (a GET that accepts HTML and carries no query) gets the explorer. */
export function wantsExplorer(req: IncomingMessage, url: URL): boolean {
  return (req.method === 'GET' || req.method === 'HEAD') && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html');
}
