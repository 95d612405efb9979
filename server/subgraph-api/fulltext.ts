/**
 * Fulltext search text, in graph-node's syntax (Postgres `to_tsquery`: terms
 * joined by `&`, `|`, `<->` or `<N>`, `!` to exclude, parentheses, `term:*`
 * for a prefix, 'quoted phrases'), rewritten as an SQLite FTS5 query.
 * Anything else is refused with graph-node's FulltextQueryInvalidSyntax
 * message.
 */
import { QueryError } from './errors';

const TOKEN = /\s*(\(|\)|&|\||!|<->|<\d+>|'[^']*'(?::\*)?|[\p{L}\p{N}_]+(?::\*)?)/uy;

function invalid(detail: string): QueryError {
  return new QueryError(
    `Invalid fulltext search query syntax. Error: ${detail}. Hint: Search terms with spaces need to be enclosed in single quotes`,
    'FULLTEXT_SYNTAX',
  );
}

const quote = (term: string) => '"' + term.replace(/"/g, '""') + '"';

export function fulltextMatch(text: string): string {
  const out: string[] = [];
  let pos = 0;
  let expectTerm = true;
  let negate = false;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw invalid(`syntax error in tsquery: "${text}"`);
    pos = TOKEN.lastIndex;
    const t = m[1];
    if (t === '(' || t === '!') {
      if (!expectTerm) throw invalid(`syntax error in tsquery: "${text}"`);
      if (t === '!') {
        // FTS5's NOT is binary: `a & !b` becomes `a NOT b`; a leading `!` has no FTS5 form.
        if (out.length === 0 || out[out.length - 1] !== 'AND') throw invalid(`"!" is supported only as "& !term": "${text}"`);
        out[out.length - 1] = 'NOT';
        negate = true;
      } else out.push('(');
      continue;
    }
    if (t === ')') {
      if (expectTerm) throw invalid(`syntax error in tsquery: "${text}"`);
      out.push(')');
      continue;
    }
    if (t === '&' || t === '|' || t === '<->' || /^<\d+>$/.test(t)) {
      if (expectTerm) throw invalid(`syntax error in tsquery: "${text}"`);
      out.push(t === '&' ? 'AND' : t === '|' ? 'OR' : '+');
      expectTerm = true;
      continue;
    }
    if (!expectTerm) throw invalid(`syntax error in tsquery: "${text}"`);
    const prefix = t.endsWith(':*');
    const term = prefix ? t.slice(0, -2) : t;
    const words = term.startsWith("'") ? term.slice(1, -1) : term;
    out.push(quote(words) + (prefix ? '*' : ''));
    expectTerm = false;
    negate = false;
  }
  if (expectTerm || negate || out.length === 0) throw invalid(`syntax error in tsquery: "${text}"`);
  // `a <-> b` is a phrase: FTS5 joins phrase parts with `+` and no operator around them.
  return out.join(' ').replace(/" \+ "/g, '" + "');
}
