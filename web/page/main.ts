/**
 * The page at /: hash routes to its views, the synthetic-data banner, and the
 * live updates (a new indexed block re-renders the current view's figures).
 */
import { capabilities, gql, subscribe, type Capabilities } from './api';
import { h } from './dom';
import { utc } from './format';
import { recordDeployment, recordTotal } from './live';
import { SNAPSHOT } from './views/overview';
import type { View } from './view';
import { overview } from './views/overview';
import { deployment } from './views/deployment';
import { contagion } from './views/contagion';
import { account } from './views/account';
import { alerts } from './views/alerts';
import './style.css';

const ROUTES: Record<string, View> = { '': overview, deployment, contagion, account, alerts };
const NAV: [string, string][] = [
  ['#/', 'Overview'],
  ['#/contagion', 'Contagion'],
  ['#/account', 'Account'],
  ['#/alerts', 'Alerts'],
];
/** Without subscriptions, the page reads again this often. */
const POLL_MS = 60_000;
/** Live re-renders at most this often: a deployment's view reruns its risk queries, and blocks may come every second. */
const LIVE_MIN_MS = 3_000;

const main = document.getElementById('main')!;
const live = document.getElementById('live')!;

function route(): { view: View; params: string[]; name: string } {
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const name = parts[0] ?? '';
  return { view: ROUTES[name] ?? overview, params: parts.slice(1), name: ROUTES[name] ? name : '' };
}

let caps: Capabilities;
let rendering: Promise<void> = Promise.resolve();

async function show(liveUpdate = false): Promise<void> {
  const { view, params, name } = route();
  document.title = `${view.title} · svr`;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    const current = a.getAttribute('href') === `#/${name}`;
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  main.setAttribute('aria-busy', 'true');
  // A live re-render keeps the reader where they were: the view keeps its height while it fills in again.
  const scroll = window.scrollY;
  if (liveUpdate) main.style.minHeight = `${main.offsetHeight}px`;
  try {
    if (liveUpdate && view.refresh) await view.refresh(main, caps, params);
    else await view.render(main, caps, params);
    if (liveUpdate) window.scrollTo(0, scroll);
  } catch (e) {
    main.append(h('p', { class: 'note error', role: 'alert' }, `This view failed: ${e instanceof Error ? e.message : String(e)}`));
  } finally {
    main.style.minHeight = '';
    main.removeAttribute('aria-busy');
    main.dataset.rendered = String(Number(main.dataset.rendered ?? 0) + 1);
  }
}

/** Renders one at a time: a live update during a render waits for it. */
function queue(liveUpdate = false): Promise<void> {
  rendering = rendering.then(() => show(liveUpdate));
  return rendering;
}

async function banner(): Promise<void> {
  const el = document.getElementById('banner')!;
  if (!caps.dataset) return;
  const a = await gql<{ dataset: { synthetic: boolean; description: string } }>('{ dataset { synthetic description } }');
  if (a.data?.dataset.synthetic) {
    el.hidden = false;
    el.replaceChildren(h('strong', {}, 'Synthetic demo data. '), a.data.dataset.description);
  }
}

function startLive(): void {
  let pending: ReturnType<typeof setTimeout> | undefined;
  let last = 0;
  const soon = () => {
    if (pending) return; // one re-render is already on its way, and it reads the latest block
    pending = setTimeout(() => {
      pending = undefined;
      last = Date.now();
      void queue(true);
    }, Math.max(300, last + LIVE_MIN_MS - Date.now()));
  };
  if (caps.ratioUpdates) {
    live.textContent = 'Live: waiting for the next indexed block.';
    const snapshot = `${SNAPSHOT}${caps.venueStatus ? ' status { status since source }' : ''}`;
    subscribe<{ aggregateUpdated: { blocks: { deployment: string | null; number: number }[]; snapshot: any } }>(
      `subscription LiveTotal { aggregateUpdated { blocks { number deployment } snapshot { ${SNAPSHOT} } } }`,
      {},
      (d) => {
        recordTotal(d.aggregateUpdated.snapshot, d.aggregateUpdated.blocks);
        soon();
      },
      () => undefined,
    );
    subscribe<{ ratioUpdated: { protocol: string; network: string; block: { number: number; timestamp: number | null }; snapshot: any } }>(
      `subscription Live { ratioUpdated { protocol network block { number hash timestamp } snapshot { ${snapshot} } } }`,
      {},
      (d) => {
        const u = d.ratioUpdated;
        recordDeployment(u.snapshot);
        live.textContent = `Live: ${u.protocol}/${u.network} indexed block ${u.block.number}${u.block.timestamp ? ` (${utc(u.block.timestamp)})` : ''}.`;
        live.dataset.block = `${u.protocol}/${u.network}/${u.block.number}`;
        soon();
      },
      (message) => {
        live.textContent = `Live updates interrupted (${message}); reconnecting.`;
      },
    );
  } else {
    live.textContent = `Live updates are not available on this server: the page reads again every ${POLL_MS / 1000} s.`;
    setInterval(() => void queue(true), POLL_MS);
  }
  if (caps.alertUpdates) {
    subscribe<{ alertEvents: { id: string; state: string; protocol: string; network: string } }>(
      'subscription Alerts { alertEvents { id state protocol network } }',
      {},
      (d) => {
        const e = d.alertEvents;
        const el = document.getElementById('alert-toast')!;
        el.hidden = false;
        el.textContent = `Alert ${e.state.toLowerCase()}: ${e.protocol ?? 'all'}/${e.network ?? 'all'}.`;
        soon();
      },
      () => undefined,
    );
  }
}

async function boot(): Promise<void> {
  const nav = document.getElementById('nav')!;
  nav.replaceChildren(...NAV.map(([href, label]) => h('a', { href }, label)));
  caps = await capabilities();
  void banner();
  window.addEventListener('hashchange', () => void queue());
  await queue();
  startLive();
}

void boot();
