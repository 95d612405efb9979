/**
 * Overview: every deployment and the total, with the threshold of its own
 * collateral model. Reads ratios, aggregate, protocols (venue status, when the
 * server has it), firingAlerts (when it has alerts) and one hourly history
 * per deployment for the sparklines.
 */
import { errorText, gql, type Capabilities } from '../api';
import { sparkline } from '../charts';
import { h, mark, note, unavailable } from '../dom';
import { duration, ratio, usd, utc } from '../format';
import { thresholdOf } from '../models';
import type { View } from '../view';
import { newestDeployment, newestTotal } from '../live';

export const SNAPSHOT = 'protocol network collateralUSD openInterestUSD ratio bufferUSD blockNumber timestamp stale ageSeconds priced unpricedTokens complete missingSources collateralModels { model }';

export function overviewQuery(caps: Capabilities): string {
  const status = caps.venueStatus ? ' status { status since source }' : '';
  return `query Overview {
  ratios { ${SNAPSHOT}${status} }
  aggregate { ${SNAPSHOT} }
  ${caps.alerts ? 'firingAlerts { id protocol network value threshold acknowledged rule { kind } }' : ''}
}`;
}

export function sparklineQuery(deployments: { protocol: string; network: string }[]): string {
  return `query Trends { ${deployments.map((d, i) => `h${i}: history(protocol: ${JSON.stringify(d.protocol)}, network: ${JSON.stringify(d.network)}, interval: HOUR) { timestamp ratio }`).join(' ')} }`;
}

export function venueStatusMark(status: { status: string; since: number | null; source: string } | null | undefined): HTMLElement {
  if (!status) return mark('info', 'unknown');
  const kind = status.status === 'LIVE' ? 'ok' : status.status === 'PAUSED' ? 'bad' : 'warn';
  return mark(kind, status.status.toLowerCase(), `since ${utc(status.since)} (${status.source})`);
}

export const overview: View = {
  title: 'Overview',
  async render(root, caps) {
    const answer = await gql(overviewQuery(caps));
    root.replaceChildren();
    root.append(h('h1', {}, 'Every venue at a glance'));
    root.append(
      h(
        'p',
        { class: 'lede' },
        'Security-to-Value Ratio: collateral backing a venue’s obligations over their notional (open interest, or debt for lending). ',
        'Each ratio is read against the threshold of its own collateral model: a trader-margin ratio is 1 / leverage, not a pool’s solvency.',
      ),
    );
    if (!answer.data) {
      root.append(note(`The gateway did not answer: ${errorText(answer.errors)}`, 'error'));
      return;
    }
    const queried = answer.data as { ratios: any[]; aggregate: any; firingAlerts?: any[] };
    const { firingAlerts } = queried;
    const ratios = queried.ratios.map((r) => newestDeployment(r));
    const aggregate = newestTotal(queried.aggregate, queried.ratios);
    const head = ['venue', 'collateral model', 'status', 'ratio', 'buffer', 'collateral', 'exposure', 'ratio, 7 d', 'block', 'as of', 'marks', 'alerts'];
    const tbody = h('tbody');
    const tfoot = h('tfoot');
    const sparkCells: HTMLElement[] = [];
    const row = (r: any, total: boolean) => {
      const model = thresholdOf(r.collateralModels);
      const below = model?.threshold !== null && model?.threshold !== undefined && r.ratio !== null && Number(r.ratio) < model.threshold;
      const key = total ? 'total' : `${r.protocol}/${r.network}`;
      const alerts = (firingAlerts ?? []).filter((a) => total || (a.protocol === r.protocol && a.network === r.network));
      const marks: HTMLElement[] = [];
      if (r.stale) marks.push(mark('warn', 'stale', 'served from a cache entry past its time to live'));
      if (!r.complete) marks.push(mark('bad', 'incomplete', `leaves out ${r.missingSources.join(', ')}`));
      if (!r.priced) marks.push(mark('warn', 'unpriced', `leaves out ${r.unpricedTokens.join(', ')}`));
      const spark = h('td', { 'data-field': 'trend' });
      if (!total) sparkCells.push(spark);
      else spark.append(h('span', { class: 'muted' }, 'per venue'));
      const age = r.timestamp ? Math.max(0, Date.now() / 1000 - r.timestamp) : null;
      const tr = h(
        'tr',
        { 'data-venue': key },
        h('th', { scope: 'row' }, total ? h('span', {}, 'Total', h('br'), h('span', { class: 'muted small' }, r.protocol.split('+').join(' + '))) : h('a', { href: `#/deployment/${r.protocol}/${r.network}` }, r.protocol, h('br'), h('span', { class: 'muted small' }, r.network))),
        h('td', { 'data-field': 'model' }, model ? model.name : 'mixed models', h('br'), h('span', { class: 'muted small' }, model ? (model.threshold === null ? 'no threshold' : `threshold ${model.threshold.toFixed(1)}×`) : 'no one threshold')),
        h('td', { 'data-field': 'status' }, total ? '' : caps.venueStatus ? venueStatusMark(r.status) : h('span', { class: 'muted' }, 'n/a')),
        h('td', { class: 'num', 'data-field': 'ratio' }, ratio(r.ratio), below ? h('span', {}, ' ', mark('bad', 'below')) : ''),
        h('td', { class: 'num', 'data-field': 'buffer' }, usd(r.bufferUSD)),
        h('td', { class: 'num', 'data-field': 'collateral' }, usd(r.collateralUSD)),
        h('td', { class: 'num', 'data-field': 'exposure' }, usd(r.openInterestUSD)),
        spark,
        h('td', { class: 'num', 'data-field': 'block' }, r.blockNumber === null ? '–' : String(r.blockNumber)),
        h('td', { 'data-field': 'asof', title: utc(r.timestamp) }, utc(r.timestamp).slice(0, 10), h('br'), h('span', { class: 'muted small' }, utc(r.timestamp).slice(11), age === null ? '' : `, ${duration(age)} ago`)),
        h('td', { 'data-field': 'marks', class: 'stack' }, ...(marks.length ? marks : [mark('ok', 'complete')])),
        h('td', { 'data-field': 'alerts' }, !caps.alerts ? h('span', { class: 'muted' }, 'n/a') : alerts.length ? mark('bad', `${alerts.length} firing`) : mark('ok', 'none')),
      );
      // On a phone each row is a card, and each cell names its column (style.css).
      [...tr.children].forEach((cell, i) => cell.setAttribute('data-label', head[i]!));
      return tr;
    };
    for (const r of ratios) tbody.append(row(r, false));
    tfoot.append(row(aggregate, true));
    root.append(
      h(
        'div',
        { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Deployments' },
        h('table', { id: 'overview' }, h('caption', {}, 'Deployments, at each network’s latest indexed block. USD figures in whole dollars.'), h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))), tbody, tfoot),
      ),
    );
    if (!caps.venueStatus) root.append(unavailable('Venue status (live, paused, legacy)'));
    if (!caps.alerts) root.append(unavailable('Alert state'));
    root.append(h('p', { class: 'note' }, 'Thresholds: shared pool and lending 1.0× (backing equals obligations); trader margin none (the ratio is 1 / leverage). See the deployment pages for what each means.'));
    if (answer.errors.length) root.append(note(errorText(answer.errors), 'error'));
    // Sparklines after the table is on the page: one query for all of them.
    const trends = await gql(sparklineQuery(ratios));
    ratios.forEach((r, i) => {
      const points = (trends.data?.[`h${i}`] ?? []) as { timestamp: number; ratio: string | null }[];
      const model = thresholdOf(r.collateralModels);
      const last = points.filter((p) => p.ratio !== null).at(-1);
      sparkline(sparkCells[i], points.map((p) => p.timestamp), points.map((p) => (p.ratio === null ? null : Number(p.ratio))), `ratio over the last ${points.length} hours, last ${last ? ratio(last.ratio) : 'none'}`, model?.threshold ?? null);
    });
    if (trends.errors.length) root.append(note(`Trends: ${errorText(trends.errors)}`, 'error'));
  },
};
