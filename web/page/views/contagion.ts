/**
 * Contagion: the deployments as a network, joined by the channels a loss can
 * travel (token, fire-sale, shared accounts), and what an asset shock does
 * to each (the contagion query, DebtRank).
 */
import { errorText, gql } from '../api';
import { PALETTE } from '../charts';
import { h, note, table } from '../dom';
import { move, pct, usd } from '../format';
import type { View } from '../view';

export const CONTAGION_QUERY = `query Contagion($shock: ContagionShockInput!) {
  contagion(shock: $shock) {
    nodes { protocol network equityUSD initialDistress distress lossUSD }
    exposures { exposed source channel asset accounts amountUSD lossAtFullDistressUSD }
    channels { channel active note }
    totalImpact debtRank iterations sharedAccountWithdrawal
    coverage { complete missingSources }
  }
}`;

const ASSETS = ['ETH', 'BTC', 'AVAX', 'LINK', 'USDC', 'USDT', 'DAI'];
/** Channel styles: colour and dash pattern, so the legend reads without colour. */
const CHANNEL_STYLE: Record<string, { stroke: string; dash: string; label: string }> = {
  token: { stroke: PALETTE.blue, dash: '', label: 'token held (solid)' },
  'fire-sale': { stroke: PALETTE.vermillion, dash: '6 4', label: 'fire sale (dashed)' },
  'shared-accounts': { stroke: PALETTE.green, dash: '2 3', label: 'shared accounts (dotted)' },
};
const state = { asset: 'ETH', move: -0.3 };

const SVG = 'http://www.w3.org/2000/svg';
function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function network(nodes: any[], exposures: any[]): SVGSVGElement {
  const size = 520;
  const c = size / 2;
  const radius = size / 2 - 90;
  const at = new Map<string, { x: number; y: number }>();
  nodes.forEach((n, i) => {
    const a = (2 * Math.PI * i) / nodes.length - Math.PI / 2;
    at.set(`${n.protocol}/${n.network}`, { x: c + radius * Math.cos(a), y: c + radius * Math.sin(a) });
  });
  const root = svg('svg', { viewBox: `0 0 ${size} ${size}`, role: 'img', 'aria-labelledby': 'contagion-graph-title', class: 'network' });
  root.append(svg('title', { id: 'contagion-graph-title' }, `Network of ${nodes.length} deployments and ${exposures.length} exposures; each node shows its distress after the shock`));
  const seen = new Set<string>();
  for (const e of exposures) {
    const a = at.get(e.source);
    const b = at.get(e.exposed);
    const style = CHANNEL_STYLE[e.channel] ?? CHANNEL_STYLE.token;
    const key = `${e.source}|${e.exposed}|${e.channel}`;
    if (!a || !b || seen.has(key)) continue;
    seen.add(key);
    // Channels between the same pair bow apart so each stays visible.
    const bow = e.channel === 'token' ? 0 : e.channel === 'fire-sale' ? 24 : -24;
    const mx = (a.x + b.x) / 2 + ((b.y - a.y) / Math.hypot(b.x - a.x, b.y - a.y || 1)) * bow;
    const my = (a.y + b.y) / 2 - ((b.x - a.x) / Math.hypot(b.x - a.x, b.y - a.y || 1)) * bow;
    root.append(svg('path', { d: `M${a.x},${a.y} Q${mx},${my} ${b.x},${b.y}`, fill: 'none', stroke: style.stroke, 'stroke-width': 1.6, 'stroke-dasharray': style.dash, opacity: 0.8 }));
  }
  for (const n of nodes) {
    const p = at.get(`${n.protocol}/${n.network}`)!;
    const g = svg('g', { 'data-node': `${n.protocol}/${n.network}` });
    // Distress as the filled share of a ring (and as text): not colour alone.
    const r = 26;
    g.append(svg('circle', { cx: p.x, cy: p.y, r, fill: '#fff', stroke: PALETTE.black, 'stroke-width': 1.5 }));
    const share = Math.max(0, Math.min(1, n.distress));
    if (share > 0) {
      const h = 2 * r * share;
      const clipId = `clip-${n.protocol}-${n.network}`;
      const clip = svg('clipPath', { id: clipId });
      clip.append(svg('circle', { cx: p.x, cy: p.y, r: r - 1 }));
      g.append(clip, svg('rect', { x: p.x - r, y: p.y + r - h, width: 2 * r, height: h, fill: PALETTE.orange, 'clip-path': `url(#${clipId})` }));
    }
    g.append(svg('text', { x: p.x, y: p.y + 4, 'text-anchor': 'middle', 'font-size': 12, 'font-weight': 600 }, pct(n.distress, 0)));
    g.append(svg('text', { x: p.x, y: p.y + r + 15, 'text-anchor': 'middle', 'font-size': 12 }, n.protocol));
    g.append(svg('text', { x: p.x, y: p.y + r + 29, 'text-anchor': 'middle', 'font-size': 11, fill: '#444' }, n.network));
    root.append(g);
  }
  return root;
}

export const contagion: View = {
  title: 'Contagion',
  async render(root) {
    root.replaceChildren(h('h1', {}, 'Contagion'));
    root.append(h('p', { class: 'lede' }, 'Who an asset shock reaches, how much, and through which channel: tokens held across venues, fire sales into shared markets, accounts active on several venues (DebtRank).'));
    const select = h('select', { id: 'shock-asset' }, ...ASSETS.map((a) => h('option', { value: a, selected: a === state.asset }, a)));
    const slider = h('input', { id: 'shock-move', type: 'range', min: -90, max: 50, step: 5, value: Math.round(state.move * 100) });
    const out = h('output', { for: 'shock-move' }, move(state.move));
    const body = h('div', { id: 'contagion-result', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
    root.append(h('div', { class: 'controls' }, h('label', { for: 'shock-asset' }, 'Asset'), select, h('label', { for: 'shock-move' }, 'Price move'), slider, out), body);
    let runId = 0;
    const run = async () => {
      const id = ++runId;
      const a = await gql(CONTAGION_QUERY, { shock: { asset: state.asset, move: state.move } });
      if (id !== runId) return;
      const c = a.data?.contagion;
      if (!c) {
        body.replaceChildren(note(errorText(a.errors) || 'no answer', 'error'));
        return;
      }
      body.replaceChildren(
        h(
          'div',
          { class: 'grid2' },
          h('figure', { class: 'network-figure' }, h('figcaption', {}, `${state.asset} ${move(state.move)}: total impact ${pct(c.totalImpact)}, DebtRank ${pct(c.debtRank)} added by propagation, ${c.iterations} step(s)`), network(c.nodes, c.exposures), h('ul', { class: 'legend' }, ...Object.values(CHANNEL_STYLE).map((s) => h('li', {}, h('span', { class: 'swatch', style: `border-top: 3px ${s.dash ? (s.dash.startsWith('2') ? 'dotted' : 'dashed') : 'solid'} ${s.stroke}` }), s.label)), h('li', {}, 'fill and number: distress after propagation'))),
          h(
            'div',
            {},
            table(
              'Each deployment after the shock',
              ['deployment', 'equity', 'distress from the shock', 'after propagation', 'loss'],
              c.nodes.map((n: any) => [`${n.protocol}/${n.network}`, usd(n.equityUSD), pct(n.initialDistress), pct(n.distress), usd(n.lossUSD)]),
              { numeric: [1, 2, 3, 4], id: 'contagion-nodes' },
            ),
            table('Channels', ['channel', 'active', 'note'], c.channels.map((ch: any) => [ch.channel, ch.active ? 'yes' : 'no', ch.note]), { id: 'contagion-channels' }),
          ),
        ),
        table(
          'Exposures (A_ij: what the exposed deployment loses if the source is fully distressed)',
          ['exposed', 'to', 'channel', 'asset or accounts', 'at stake', 'loss at full distress'],
          c.exposures.map((e: any) => [e.exposed, e.source, e.channel, e.asset ?? (e.accounts === null ? '–' : `${e.accounts} accounts`), usd(e.amountUSD), usd(e.lossAtFullDistressUSD)]),
          { numeric: [4, 5], id: 'contagion-exposures' },
        ),
        c.coverage.complete ? '' : note(`Leaves out ${c.coverage.missingSources.join(', ')}.`, 'error'),
      );
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), 200);
    };
    select.addEventListener('change', () => {
      state.asset = select.value;
      later();
    });
    slider.addEventListener('input', () => {
      state.move = Number(slider.value) / 100;
      out.textContent = move(state.move);
      later();
    });
    await run();
  },
};
