/** A small element builder: the page has no framework. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | ((e: Event) => void) | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(key.replace(/^on/, ''), value as EventListener);
    else if (key === 'class') el.className = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(typeof c === 'number' ? String(c) : c);
  return el;
}

/** A table with a caption, header cells and rows of cells (strings or nodes); numeric columns align right. */
export function table(caption: string, head: string[], rows: Child[][], options: { numeric?: number[]; id?: string; foot?: Child[][] } = {}): HTMLElement {
  const numeric = new Set(options.numeric ?? []);
  const cell = (tag: 'td' | 'th', c: Child, i: number) => h(tag, { class: numeric.has(i) ? 'num' : undefined, scope: tag === 'th' ? 'col' : undefined }, c);
  const t = h(
    'table',
    { id: options.id },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c, i) => cell('th', c, i)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => cell('td', c, i))))),
  );
  if (options.foot) t.append(h('tfoot', {}, ...options.foot.map((r) => h('tr', {}, ...r.map((c, i) => cell('td', c, i))))));
  // A table wider than the screen scrolls: focusable and named, so a keyboard can scroll it too.
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': caption }, t);
}

/** A note that a view's part cannot be shown, and why. */
export function unavailable(what: string): HTMLElement {
  return h('p', { class: 'unavailable', role: 'note' }, `${what}: not available on this server.`);
}

export function note(text: string, kind: 'info' | 'error' = 'info'): HTMLElement {
  return h('p', { class: kind === 'error' ? 'note error' : 'note', role: kind === 'error' ? 'alert' : undefined }, text);
}

/** A status mark: a symbol and a word, never colour alone. */
export function mark(kind: 'ok' | 'warn' | 'bad' | 'info', text: string, title?: string): HTMLElement {
  const symbol = { ok: '✓', warn: '▲', bad: '✕', info: '•' }[kind];
  return h('span', { class: `mark mark-${kind}`, title }, h('span', { 'aria-hidden': 'true' }, symbol + ' '), text);
}
