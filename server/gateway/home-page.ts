/**
 * The page at `/`: every deployment's ratio and the aggregate, read from the
 * gateway's own /graphql by the browser. Plain HTML and script, nothing
 * loaded from elsewhere, so it works on a machine without internet.
 */
export const HOME_QUERY = `{
  ratios { protocol network status { status since source } collateralUSD openInterestUSD ratio bufferUSD blockNumber timestamp stale priced complete }
  aggregate { protocol status { status since source } collateralUSD openInterestUSD ratio bufferUSD complete missingSources }
}`;

/** The backtest shown per deployment: a 12-hour window, so that the demo's 25 indexed hours give 13 forecasts. */
export const HOME_BACKTEST_WINDOW_HOURS = 12;
const BACKTEST_FIELDS = 'forecasts quantile { confidence horizonDays kupiec { exceedances expectedRate observations pValue } christoffersen { pValue } } band { bandLevel coverage kupiec { pValue } } crossings { hitRate }';

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
  th:nth-child(-n+3), td:nth-child(-n+3) { text-align: left; }
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
  <thead><tr><th>protocol</th><th>network</th><th>status</th><th>collateral</th><th>exposure</th><th>ratio</th><th>buffer</th><th>block</th><th>as of (UTC)</th></tr></thead>
  <tbody></tbody>
  <tfoot></tfoot>
</table>
<p id="status" class="note">Loading…</p>
<h2>Are the forecasts right? Backtests</h2>
<p class="note">At every hour, the forecast fitted on the trailing ${HOME_BACKTEST_WINDOW_HOURS} hours, against the ratio an hour later
(the <code>backtest</code> query; docs/risk-methodology.md, Backtests). A p-value below 0.05 rejects the model's stated confidence;
with few forecasts the tests have little power.</p>
<table id="backtests">
  <thead><tr><th>protocol</th><th>network</th><th>forecasts</th><th>ratio VaR exceedances</th><th>Kupiec p</th><th>Christoffersen p</th><th>band coverage</th><th>band Kupiec p</th><th>crossings hit rate</th></tr></thead>
  <tbody></tbody>
</table>
<p id="backtest-status" class="note">Loading…</p>
<script>
const QUERY = ${JSON.stringify(HOME_QUERY)};
const BACKTEST_FIELDS = ${JSON.stringify(BACKTEST_FIELDS)};
const WINDOW = ${HOME_BACKTEST_WINDOW_HOURS};
const usd = (s) => s === null ? '–' : Number(s).toLocaleString('en-US', { maximumFractionDigits: 0 });
const ratio = (s) => s === null ? '–' : Number(s).toFixed(3);
function cell(text, cls) { const td = document.createElement('td'); td.textContent = text; if (cls) td.className = cls; return td; }
// The venue's status as its subgraph states it, e.g. "paused since 2025-07-09", with its source as a tooltip.
function statusCell(s) {
  if (!s) return cell('');
  const td = cell(s.status.toLowerCase() + (s.since ? ' since ' + new Date(s.since * 1000).toISOString().slice(0, 10) : ''), s.status === 'LIVE' ? '' : 'low');
  td.title = s.source;
  return td;
}
function row(r) {
  const tr = document.createElement('tr');
  tr.append(cell(r.protocol), cell(r.network ?? 'all'), statusCell(r.status), cell(usd(r.collateralUSD) + (r.priced === false ? ' *' : '')), cell(usd(r.openInterestUSD)),
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
    return backtests(data.ratios);
  })
  .catch((e) => { document.querySelector('#status').textContent = 'The gateway did not answer: ' + e.message; });
const p = (x) => x === null ? '–' : x.toFixed(3);
const pct = (x) => x === null ? '–' : (x * 100).toFixed(0) + '%';
function backtests(deployments) {
  const fields = deployments.map((d, i) => 'b' + i + ': backtest(protocol: ' + JSON.stringify(d.protocol) + ', network: ' + JSON.stringify(d.network) + ', windowHours: ' + WINDOW + ') { ' + BACKTEST_FIELDS + ' }');
  return fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ ' + fields.join(' ') + ' }' }) })
    .then((res) => res.json())
    .then(({ data, errors }) => {
      const body = document.querySelector('#backtests tbody');
      deployments.forEach((d, i) => {
        const b = data && data['b' + i];
        if (!b) return;
        const q = b.quantile;
        const tr = document.createElement('tr');
        tr.append(cell(d.protocol), cell(d.network), cell(String(b.forecasts)),
          cell(q.kupiec.exceedances + ' of ' + q.kupiec.observations + ' (' + pct(q.kupiec.expectedRate) + ' expected at ' + pct(q.confidence) + ', ' + Math.round(q.horizonDays * 24) + ' h)'),
          cell(p(q.kupiec.pValue), q.kupiec.pValue < 0.05 ? 'low' : ''), cell(p(q.christoffersen.pValue), q.christoffersen.pValue < 0.05 ? 'low' : ''),
          cell(pct(b.band.coverage) + ' of ' + pct(b.band.bandLevel)), cell(p(b.band.kupiec.pValue), b.band.kupiec.pValue < 0.05 ? 'low' : ''),
          cell(b.crossings.hitRate === null ? 'no crossing' : pct(b.crossings.hitRate)));
        body.append(tr);
      });
      document.querySelector('#backtest-status').textContent = (errors ?? []).map((e) => e.message).join(' ') || 'Every deployment backtested.';
    })
    .catch((e) => { document.querySelector('#backtest-status').textContent = 'The backtests did not answer: ' + e.message; });
}
</script>
</body>
</html>
`;
}
