/** An account: its positions and health across every venue (the accountExposure query). */
import { errorText, gql } from '../api';
import { h, mark, note, table } from '../dom';
import { ratio, usd } from '../format';
import type { View } from '../view';

export const ACCOUNT_QUERY = `query Account($account: String!) {
  accountExposure(account: $account) {
    account collateralUSD debtUSD priced complete missingSources
    positions { protocol network market side sizeUSD collateralUSD health liquidationPrice priced }
  }
}`;

function healthMark(health: string | null): HTMLElement | string {
  if (health === null) return '–';
  const n = Number(health);
  return h('span', {}, ratio(health).replace('×', ''), ' ', n < 1 ? mark('bad', 'liquidatable') : n < 1.1 ? mark('warn', 'near 1') : mark('ok', 'healthy'));
}

export const account: View = {
  title: 'Account',
  async render(root, _caps, params) {
    const address = (params[0] ?? '').toLowerCase();
    root.replaceChildren(h('h1', {}, 'Account'));
    const input = h('input', { id: 'account-address', type: 'text', value: address, placeholder: '0x…', spellcheck: 'false', autocomplete: 'off', size: 44 });
    const form = h('form', { class: 'controls' }, h('label', { for: 'account-address' }, 'Address'), input, h('button', { type: 'submit' }, 'Show'));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      location.hash = `#/account/${input.value.trim().toLowerCase()}`;
    });
    root.append(h('p', { class: 'lede' }, 'One address across every protocol and network: its positions and loans, collateral, and health.'), form);
    if (!address) return;
    if (!/^0x[0-9a-f]{40}$/.test(address)) {
      root.append(note('An address is 0x and 40 hex digits.', 'error'));
      return;
    }
    const a = await gql(ACCOUNT_QUERY, { account: address });
    const x = a.data?.accountExposure;
    if (!x) {
      root.append(note(errorText(a.errors) || 'no answer', 'error'));
      return;
    }
    root.append(
      h(
        'div',
        { class: 'figures', id: 'account-figures' },
        h('div', { class: 'figure', 'data-field': 'collateral' }, h('div', { class: 'figure-label' }, 'collateral'), h('div', { class: 'figure-value' }, usd(x.collateralUSD))),
        h('div', { class: 'figure', 'data-field': 'debt' }, h('div', { class: 'figure-label' }, 'debt and position notional'), h('div', { class: 'figure-value' }, usd(x.debtUSD))),
        h('div', { class: 'figure', 'data-field': 'venues' }, h('div', { class: 'figure-label' }, 'venues'), h('div', { class: 'figure-value' }, String(new Set(x.positions.map((p: any) => `${p.protocol}/${p.network}`)).size))),
      ),
    );
    if (!x.positions.length) root.append(note('No open position or loan on any venue.'));
    else
      root.append(
        table(
          'Positions and loans',
          ['venue', 'market', 'side', 'size or debt', 'collateral', 'health factor', 'liquidation price'],
          x.positions.map((p: any) => [`${p.protocol}/${p.network}`, p.market, p.side.toLowerCase(), usd(p.sizeUSD), usd(p.collateralUSD), healthMark(p.health), p.liquidationPrice === null ? '–' : usd(p.liquidationPrice)]),
          { numeric: [3, 4, 5, 6], id: 'positions' },
        ),
      );
    if (!x.priced) root.append(note('A token behind these figures has no price; it is left out.'));
    if (!x.complete) root.append(note(`Leaves out ${x.missingSources.join(', ')}.`, 'error'));
  },
};
