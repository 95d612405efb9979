/** Alerts: what fired, when, at which block, and acknowledging it (alertEvents, firingAlerts, acknowledgeAlert). */
import { errorText, gql, type Capabilities } from '../api';
import { h, mark, note, table, unavailable } from '../dom';
import { ratio, usd, utc } from '../format';

/** An alert's figure in its kind's unit: ratios as ratios, USD as dollars, the rest (fractions, blocks, counts) as served. */
function figure(kind: string, value: string | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (kind === 'RATIO_BELOW') return ratio(value);
  if (kind === 'BUFFER_BELOW' || kind === 'VAR_ABOVE') return usd(value);
  return value;
}
import type { View } from '../view';

export const ALERTS_QUERY = `query Alerts {
  firingAlerts { id }
  alertEvents(first: 100) { id state protocol network value threshold at acknowledged message block { number hash } rule { id kind protocol network threshold } }
}`;
const ACKNOWLEDGE = `mutation Acknowledge($id: ID!) { acknowledgeAlert(id: $id) { id acknowledged } }`;

export const alerts: View = {
  title: 'Alerts',
  async render(root, caps: Capabilities) {
    root.replaceChildren(h('h1', {}, 'Alerts'));
    if (!caps.alerts) {
      root.append(unavailable('Alert rules and events'));
      return;
    }
    const a = await gql(ALERTS_QUERY);
    if (!a.data) {
      root.append(note(errorText(a.errors) || 'no answer', 'error'));
      return;
    }
    const firing = new Set((a.data.firingAlerts as { id: string }[]).map((f) => f.id));
    const events = a.data.alertEvents as any[];
    root.append(h('p', { class: 'lede', id: 'alerts-summary' }, `${firing.size} firing, ${events.length} event(s) shown (newest first).`));
    if (!events.length) {
      root.append(note('Nothing has fired.'));
      return;
    }
    root.append(
      table(
        'Alert events',
        ['when', 'state', 'venue', 'rule', 'value', 'threshold', 'block', 'message', 'acknowledge'],
        events.map((e) => {
          const ack = caps.acknowledge && !e.acknowledged && e.state === 'FIRING' ? h('button', { type: 'button', class: 'small', 'data-ack': e.id }, 'acknowledge') : e.acknowledged ? mark('info', 'acknowledged') : '';
          if (ack instanceof HTMLButtonElement) {
            ack.addEventListener('click', async () => {
              ack.disabled = true;
              const r = await gql(ACKNOWLEDGE, { id: e.id });
              if (r.errors.length) {
                ack.disabled = false;
                ack.after(note(errorText(r.errors), 'error'));
              } else ack.replaceWith(mark('info', 'acknowledged'));
            });
          }
          return [
            utc(typeof e.at === 'number' ? e.at : Number(e.at)),
            e.state === 'FIRING' ? mark('bad', 'firing') : mark('ok', 'resolved'),
            `${e.protocol ?? 'all'}/${e.network ?? 'all'}`,
            `${e.rule.kind} (${e.rule.id})`,
            figure(e.rule.kind, e.value),
            figure(e.rule.kind, e.threshold),
            e.block ? h('span', { title: e.block.hash }, String(e.block.number)) : '–',
            e.message ?? '',
            ack,
          ];
        }),
        { numeric: [4, 5, 6], id: 'alert-events' },
      ),
    );
  },
};
