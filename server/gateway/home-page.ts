/**
 * The page at `/`: every deployment's ratio and the aggregate, read from the
 * gateway's own /graphql by the browser. Plain HTML and script, nothing
 * loaded from elsewhere, so it works on a machine without internet.
 */
export const HOME_QUERY = `{
  ratios { protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber timestamp stale priced complete }
  aggregate { protocol collateralUSD openInterestUSD ratio bufferUSD complete missingSources }
}`;

export function homePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>svr: solvency ratios</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 2rem; color: #111; }
  table { border-collapse: collapse; }
  th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
  th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
  tfoot td { font-weight: 600; border-top: 2px solid #111; }
  .low { color: #b00020; font-weight: 600; }
  .note { color: #555; }
</style>
</head>
<body>
<h1>Security-to-Value Ratios</h1>
<p class="note">Collateral backing each venue's obligations over the notional of its open interest (and debt).
Figures in USD. Query them yourself at <a href="/graphql">/graphql</a>.</p>
<table id="ratios">
  <thead><tr><th>protocol</th><th>network</th><th>collateral</th><th>exposure</th><th>ratio</th><th>buffer</th><th>block</th><th>as of (UTC)</th></tr></thead>
  <tbody></tbody>
  <tfoot></tfoot>
</table>
<p id="status" class="note">Loading…</p>
<script>
const QUERY = ${JSON.stringify(HOME_QUERY)};
const usd = (s) => s === null ? '–' : Number(s).toLocaleString('en-US', { maximumFractionDigits: 0 });
const ratio = (s) => s === null ? '–' : Number(s).toFixed(3);
function cell(text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
function row(r) {
  const tr = document.createElement('tr');
  tr.append(cell(r.protocol), cell(r.network ?? 'all'), cell(usd(r.collateralUSD) + (r.priced === false ? ' *' : '')), cell(usd(r.openInterestUSD)),
    cell(ratio(r.ratio), r.ratio !== null && Number(r.ratio) < 1 ? 'low' : ''), cell(usd(r.bufferUSD)), cell(r.blockNumber ?? ''),
    cell(r.timestamp ? new Date(r.timestamp * 1000).toISOString().replace('T', ' ').slice(0, 16) : ''));
  return tr;
}
fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: QUERY }) })
  .then((res) => res.json())
  .then(({ data, errors }) => {
    const body = document.querySelector('#ratios tbody');
    for (const r of data.ratios) body.append(row(r));
    document.querySelector('#ratios tfoot').append(row(data.aggregate));
    const notes = [];
    if (data.ratios.some((r) => r.priced === false)) notes.push('* leaves out tokens that have no price yet.');
    if (!data.aggregate.complete) notes.push('Missing sources: ' + data.aggregate.missingSources.join(', ') + '.');
    for (const e of errors ?? []) notes.push(e.message);
    document.querySelector('#status').textContent = notes.join(' ') || 'All sources answered.';
  })
  .catch((e) => { document.querySelector('#status').textContent = 'The gateway did not answer: ' + e.message; });
</script>
</body>
</html>
`;
}
