/**
 * One deployment: its figures and history, markets and collateral per token,
 * the liquidation curve, a stress scenario with its cascade, VaR and LaR, the
 * forecast and the distance to insolvency. Each part is its own query, so
 * the slow risk computations fill in after the figures.
 */
import { errorText, gql, type Capabilities } from '../api';
import { chart } from '../charts';
import { h, mark, note, table } from '../dom';
import { days, duration, int, move, pct, ratio, usd, usdFloat, utc } from '../format';
import { thresholdOf } from '../models';
import type { View } from '../view';
import { venueStatusMark } from './overview';
import { newestDeployment } from '../live';

export function deploymentQuery(caps: Capabilities): string {
  return `query Deployment($protocol: String!, $network: String!) {
  ratio(protocol: $protocol, network: $network) {
    protocol network collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD ratio bufferUSD blockNumber timestamp stale ageSeconds priced unpricedTokens complete missingSources
    collateralModels { model backing obligations leftOut }
    markets { market name collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD ratio bufferUSD priced }
    collateral { token symbol amount valueUSD }${caps.venueStatus ? '\n    status { status since source }' : ''}
  }
  history(protocol: $protocol, network: $network, interval: HOUR) { timestamp collateralUSD openInterestUSD longOpenInterestUSD shortOpenInterestUSD debtUSD ratio bufferUSD }
}`;
}

export const STRESS_QUERY = `query Stress($scenario: StressScenarioInput!, $protocols: [String!], $networks: [String!]) {
  stressTest(scenario: $scenario, protocols: $protocols, networks: $networks) {
    venues { protocol network ratioBefore ratioAfter collateralBeforeUSD collateralAfterUSD obligationsBeforeUSD obligationsAfterUSD bufferBeforeUSD bufferAfterUSD liquidatedPositions liquidatedObligationsUSD liquidatedCollateralUSD shortfallUSD pendingPositions tradersPnlUSD }
    rounds finalMoves { asset move } coverage { complete missingSources unpricedPositions }
  }
}`;

const CURVE_QUERY = `query Curve($protocols: [String!], $networks: [String!]) {
  liquidationCurve(protocols: $protocols, networks: $networks) { curves { asset points { move positions collateralUSD sizeUSD } } coverage { complete missingSources } }
}`;

const QUANTILE = 'value low high confidence horizonDays intervalLevel';
export const VAR_QUERY = `query Risk($protocols: [String!], $networks: [String!]) {
  valueAtRisk(protocols: $protocols, networks: $networks) {
    paths horizonDays seed volatilitySource volatilities { asset volatility }
    venues { protocol network expectedInsolvencyUSD expectedShortfall99USD expectedLiquidationsUSD var95 { ${QUANTILE} } var99 { ${QUANTILE} } lar95 { ${QUANTILE} } lar99 { ${QUANTILE} } }
  }
}`;

export const FORECAST_QUERY = `query Forecast($protocol: String!, $network: String!, $threshold: Float) {
  forecast(protocol: $protocol, network: $network, threshold: $threshold) { horizonDays threshold bandLevel lastRatio lastTimestamp trendPerDay volatilityPerSqrtDay daysToThreshold probabilityOfThresholdWithinHorizon leadingIndicator reasons path { timestamp median low high } }
}`;

const TESTS = 'kupiec { pValue observations exceedances expectedRate observedRate } christoffersen { pValue } conditionalCoverage { pValue }';
export const BACKTEST_QUERY = `query Backtest($protocol: String!, $network: String!, $threshold: Float) {
  backtest(protocol: $protocol, network: $network, windowHours: 12, threshold: $threshold) {
    observations forecasts windowHours horizonHours
    quantile { confidence horizonDays ${TESTS} }
    band { bandLevel horizonDays coverage below above ${TESTS} }
    crossings { threshold horizonDays predictions hits misses falseAlarms hitRate brierScore }
  }
}`;
const MC_BACKTEST = `confidence horizonHours realised meanPredictedUSD meanRealisedUSD ${TESTS}`;
export const RISK_BACKTEST_QUERY = `query RiskBacktest($protocol: String!, $network: String!) {
  riskBacktest(protocol: $protocol, network: $network) {
    from to windowHours horizonHours confidence paths observations
    liquidations { ${MC_BACKTEST} } insolvency { ${MC_BACKTEST} }
    curve { minMove observations predictedUSD realisedUSD meanAbsoluteErrorUSD realisedToPredicted originsWithoutMove
      buckets { fromMove toMove observations predictedUSD realisedUSD meanAbsoluteErrorUSD realisedToPredicted } }
    leftOut { originsBeyondCap originsWithoutSnapshot originsWithTooLittlePriceHistory unpricedPositions liquidationsWithUnknownShortfall unpricedLiquidations notes }
  }
}`;

const DISTANCE = 'down downReason up upReason';
export const DISTANCE_QUERY = `query Distance($protocol: String!, $network: String!) {
  ratio(protocol: $protocol, network: $network) { distanceToInsolvency { marketWide { ${DISTANCE} } firstBadDebt { ${DISTANCE} } perAsset { asset distance { ${DISTANCE} } firstBadDebt { ${DISTANCE} } } resolution maxDown maxUp } }
}`;

/** The deployment on the page, for live updates of its figures. */
let shown: { key: string; headline: HTMLElement; hist: HTMLElement } | null = null;

/** The scenario the sliders hold, kept across live re-renders of the same deployment. */
const scenarios = new Map<string, { marketWide: number; moves: Map<string, number> }>();

function section(root: HTMLElement, id: string, title: string, intro?: string): HTMLElement {
  const body = h('div', { class: 'section-body' }, h('p', { class: 'muted loading' }, 'Loading…'));
  root.append(h('section', { id, 'aria-labelledby': `${id}-h` }, h('h2', { id: `${id}-h` }, title), intro ? h('p', { class: 'note' }, intro) : null, body));
  return body;
}

function figure(label: string, value: string, field: string, extra?: Node | string): HTMLElement {
  return h('div', { class: 'figure', 'data-field': field }, h('div', { class: 'figure-label' }, label), h('div', { class: 'figure-value' }, value), extra ? h('div', { class: 'figure-extra' }, extra) : null);
}

const distanceText = (d: { down: number | null; downReason: string | null; up: number | null; upReason: string | null }) =>
  `down ${d.down === null ? `none within range${d.downReason ? ` (${d.downReason})` : ''}` : pct(d.down)}, up ${d.up === null ? `none within range${d.upReason ? ` (${d.upReason})` : ''}` : pct(d.up)}`;

export const deployment: View = {
  title: 'Deployment',
  // A new block redraws the figures and history; the risk sections (stress, VaR, forecast, distance) keep theirs: rerun on a slider move or a reload.
  async refresh(root, caps, params) {
    const [protocol, network] = params;
    const key = `${protocol}/${network}`;
    if (!shown || shown.key !== key || !shown.headline.isConnected) return deployment.render(root, caps, params);
    const answer = await gql(deploymentQuery(caps), { protocol, network });
    if (answer.data?.ratio) figuresAndHistory(shown.headline, shown.hist, answer.data, caps);
  },
  async render(root, caps, params) {
    const [protocol, network] = params;
    root.replaceChildren();
    if (!protocol || !network) {
      root.append(note('Pick a deployment on the overview.', 'error'));
      return;
    }
    const scope = { protocols: [protocol], networks: [network] };
    const key = `${protocol}/${network}`;
    root.append(h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Overview'), ' › ', key));
    root.append(h('h1', {}, `${protocol} on ${network}`));
    const answer = await gql(deploymentQuery(caps), { protocol, network });
    const r = answer.data?.ratio;
    if (!r) {
      root.append(note(`No figures for ${key}: ${errorText(answer.errors) || 'the deployment is unknown'}`, 'error'));
      return;
    }
    const model = thresholdOf(r.collateralModels);
    const def = r.collateralModels[0];
    root.append(
      h(
        'p',
        { class: 'lede' },
        h('strong', {}, `${model?.name ?? def?.model}. `),
        model ? `Threshold: ${model.meaning}. ` : '',
        def ? `Backing: ${def.backing}. Obligations: ${def.obligations}.${def.leftOut ? ` Left out: ${def.leftOut}.` : ''}` : '',
      ),
    );
    const headline = h('div', { class: 'figures', id: 'headline' });
    root.append(headline);
    const hist = section(root, 'history', 'History', 'Hourly snapshots from the subgraph, each at the end of its hour (the history query).');
    const points = figuresAndHistory(headline, hist, answer.data, caps);
    shown = { key, headline, hist };

    // Markets and collateral.
    const mk = section(root, 'markets', 'Markets and collateral');
    mk.replaceChildren(
      table(
        'Per market',
        ['market', 'collateral', 'open interest', 'long', 'short', 'debt', 'ratio', 'buffer'],
        r.markets.map((m: any) => [m.name + (m.priced ? '' : ' (unpriced)'), m.collateralUSD === null ? 'pooled' : usd(m.collateralUSD), usd(m.openInterestUSD), usd(m.longOpenInterestUSD), usd(m.shortOpenInterestUSD), usd(m.debtUSD), m.ratio === null ? '–' : ratio(m.ratio), m.bufferUSD === null ? '–' : usd(m.bufferUSD)]),
        { numeric: [1, 2, 3, 4, 5, 6, 7], id: 'markets-table' },
      ),
      table(
        'Collateral per token',
        ['token', 'amount', 'value'],
        r.collateral.map((c: any) => [h('span', { title: c.token }, c.symbol ?? c.token), c.amount === null ? 'decimals unknown' : amount(c.amount), c.valueUSD === null ? 'no price' : usd(c.valueUSD)]),
        { numeric: [1, 2], id: 'collateral-table' },
      ),
    );

    const curveBody = section(root, 'curve', 'Liquidation curve', 'Size liquidatable (perps’ notional, lending’s debt) as one asset’s price moves, the others held (the liquidationCurve query).');
    const stressBody = section(root, 'stress', 'Stress scenario', 'A market-wide move of every non-stable asset, and per-asset moves that override it, then the liquidation cascade (the stressTest query).');
    const varBody = section(root, 'var', 'Value at risk and liquidations at risk', 'Monte Carlo over correlated price paths, volatilities estimated from indexed hourly prices (the valueAtRisk query).');
    const fcBody = section(root, 'forecast', 'Forecast', 'Trend and volatility of ln(ratio) from the hourly history, a median path with its band, and the time to the threshold (the forecast query).');
    const btBody = section(
      root,
      'backtests',
      'Backtests',
      'How the predictions above did on this deployment’s own indexed hours: exceedances of each quantile against the rate its confidence states (Kupiec: the rate; Christoffersen: no clustering; a p-value under 5% rejects the model), the band’s coverage, and the curve against the liquidations that followed (the backtest and riskBacktest queries; docs/risk-methodology.md, Backtests).',
    );
    const distBody = section(root, 'distance', 'Distance to insolvency', 'How far prices can move before the buffer, after the cascade, turns negative (RatioSnapshot.distanceToInsolvency).');

    const curveDone = gql(CURVE_QUERY, scope).then((a) => {
      curveBody.replaceChildren();
      const curves = (a.data?.liquidationCurve?.curves ?? []) as any[];
      if (!curves.length) {
        curveBody.append(note(a.errors.length ? errorText(a.errors) : 'No position can be liquidated by a move in the searched range.', a.errors.length ? 'error' : 'info'));
        return [] as string[];
      }
      const x = curves[0].points.map((p: any) => p.move);
      chart(curveBody, {
        title: 'Liquidatable size by price move (USD)',
        x,
        time: false,
        xFormat: (v) => move(v),
        lines: curves.map((c) => ({ label: c.asset, values: c.points.map((p: any) => Number(p.sizeUSD)) })),
        y: compactUsd,
      });
      return [...new Set(curves.map((c) => c.asset as string))];
    });

    // The stress scenario: sliders, run on change.
    const state = scenarios.get(key) ?? { marketWide: -0.2, moves: new Map<string, number>() };
    scenarios.set(key, state);
    const result = h('div', { id: 'stress-result', 'aria-live': 'polite' });
    const wideOut = h('output', { id: 'market-wide-value', for: 'market-wide' }, move(state.marketWide));
    const wide = h('input', { id: 'market-wide', type: 'range', min: -80, max: 80, step: 5, value: Math.round(state.marketWide * 100), 'aria-describedby': 'market-wide-value' });
    let runId = 0;
    const run = async () => {
      const id = ++runId;
      result.setAttribute('aria-busy', 'true');
      const moves = [...state.moves].filter(([, m]) => m !== null).map(([asset, m]) => ({ asset, move: m }));
      const a = await gql(STRESS_QUERY, { scenario: { marketWide: state.marketWide, moves }, ...scope });
      if (id !== runId) return; // a later move of the slider is on its way
      result.removeAttribute('aria-busy');
      const v = a.data?.stressTest?.venues?.[0];
      if (!v) {
        result.replaceChildren(note(errorText(a.errors) || 'no answer', 'error'));
        return;
      }
      const s = a.data.stressTest;
      result.setAttribute('data-market-wide', String(state.marketWide));
      result.replaceChildren(
        table(
          `After a ${move(state.marketWide)} market-wide move${moves.length ? ` with ${moves.map((m) => `${m.asset} ${move(m.move)}`).join(', ')}` : ''}: ${s.rounds} cascade round(s)`,
          ['', 'before', 'after'],
          [
            ['ratio', ratio(v.ratioBefore), ratio(v.ratioAfter)],
            ['buffer', usd(v.bufferBeforeUSD), usd(v.bufferAfterUSD)],
            ['collateral', usd(v.collateralBeforeUSD), usd(v.collateralAfterUSD)],
            ['obligations', usd(v.obligationsBeforeUSD), usd(v.obligationsAfterUSD)],
          ],
          { numeric: [1, 2], id: 'stress-table' },
        ),
        table(
          'The cascade',
          ['liquidated positions', 'obligations removed', 'collateral taken', 'bad debt', 'already liquidatable'],
          [[int(v.liquidatedPositions), usd(v.liquidatedObligationsUSD), usd(v.liquidatedCollateralUSD), usd(v.shortfallUSD), int(v.pendingPositions)]],
          { numeric: [0, 1, 2, 3, 4], id: 'cascade-table' },
        ),
        h('p', { class: 'note' }, `Final moves: ${s.finalMoves.map((m: any) => `${m.asset} ${move(m.move)}`).join(', ') || 'none'}.${v.tradersPnlUSD !== null ? ` Surviving traders’ PnL against the pool: ${usd(v.tradersPnlUSD)}.` : ''}`),
      );
    };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const later = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), 200);
    };
    wide.addEventListener('input', () => {
      state.marketWide = Number(wide.value) / 100;
      wideOut.textContent = move(state.marketWide);
      later();
    });
    const perAsset = h('div', { class: 'per-asset' });
    stressBody.replaceChildren(h('div', { class: 'slider' }, h('label', { for: 'market-wide' }, 'Market-wide move'), wide, wideOut), perAsset, result);
    void run();
    void curveDone.then((assets) => {
      for (const asset of assets) {
        const id = `move-${asset}`;
        const current = state.moves.get(asset);
        const out = h('output', { for: id }, current === undefined ? 'market-wide' : move(current));
        const input = h('input', { id, type: 'range', min: -80, max: 80, step: 5, value: Math.round((current ?? state.marketWide) * 100), 'data-asset': asset });
        const reset = h('button', { type: 'button', class: 'small' }, 'use market-wide');
        input.addEventListener('input', () => {
          state.moves.set(asset, Number(input.value) / 100);
          out.textContent = move(Number(input.value) / 100);
          later();
        });
        reset.addEventListener('click', () => {
          state.moves.delete(asset);
          out.textContent = 'market-wide';
          later();
        });
        perAsset.append(h('div', { class: 'slider' }, h('label', { for: id }, asset), input, out, reset));
      }
    });

    void gql(VAR_QUERY, scope).then((a) => {
      varBody.replaceChildren();
      const res = a.data?.valueAtRisk;
      const v = res?.venues?.[0];
      if (!v) {
        varBody.append(note(errorText(a.errors) || 'no answer', 'error'));
        return;
      }
      const bars = (title: string, items: { label: string; value: number; low?: number; high?: number }[], id: string) => {
        const most = Math.max(1, ...items.map((i) => i.high ?? i.value));
        return h(
          'figure',
          { class: 'bars', id },
          h('figcaption', {}, title),
          ...items.map((i) =>
            h(
              'div',
              { class: 'bar-row' },
              h('span', { class: 'bar-label' }, i.label),
              h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: 'bar', style: `width:${(100 * i.value) / most}%` }), i.low !== undefined ? h('span', { class: 'whisker', style: `left:${(100 * i.low) / most}%;width:${(100 * (i.high! - i.low)) / most}%` }) : null),
              h('span', { class: 'bar-value' }, usdFloat(i.value), i.low !== undefined ? h('span', { class: 'muted' }, ` (${usdFloat(i.low)} to ${usdFloat(i.high)})`) : ''),
            ),
          ),
        );
      };
      varBody.append(
        h('p', { class: 'note' }, `${int(res.paths)} paths over ${res.horizonDays} day(s), seed ${res.seed}; ${res.volatilitySource}. The loss distribution as its mean and quantiles; bars show each estimate, brackets its ${pct(v.var95.intervalLevel, 0)} confidence interval.`),
        h(
          'div',
          { class: 'grid2' },
          bars('Insolvency (shortfall) over the horizon', [
            { label: 'mean', value: v.expectedInsolvencyUSD },
            { label: 'VaR 95%', value: v.var95.value, low: v.var95.low, high: v.var95.high },
            { label: 'VaR 99%', value: v.var99.value, low: v.var99.low, high: v.var99.high },
            { label: 'ES 99%', value: v.expectedShortfall99USD },
          ], 'var-bars'),
          bars('Liquidations over the horizon', [
            { label: 'mean', value: v.expectedLiquidationsUSD },
            { label: 'LaR 95%', value: v.lar95.value, low: v.lar95.low, high: v.lar95.high },
            { label: 'LaR 99%', value: v.lar99.value, low: v.lar99.low, high: v.lar99.high },
          ], 'lar-bars'),
        ),
        h('p', { class: 'note' }, `Volatilities (annualised): ${res.volatilities.map((x: any) => `${x.asset} ${pct(x.volatility, 0)}`).join(', ')}.`),
      );
    });

    void gql(FORECAST_QUERY, { protocol, network, threshold: model?.threshold ?? null }).then((a) => {
      fcBody.replaceChildren();
      const f = a.data?.forecast;
      if (!f) {
        fcBody.append(note(errorText(a.errors) || 'no answer', 'error'));
        return;
      }
      const past = points.filter((p) => p.ratio !== null);
      const x = [...past.map((p) => p.timestamp), ...f.path.map((p: any) => p.timestamp)];
      const pad = (n: number) => Array.from({ length: n }, () => null);
      const lines: any[] = [
        { label: 'ratio', values: [...past.map((p) => Number(p.ratio)), ...pad(f.path.length)] },
        { label: 'median forecast', values: [...pad(past.length), ...f.path.map((p: any) => p.median)] },
        { label: `band high (${pct(f.bandLevel, 0)})`, values: [...pad(past.length), ...f.path.map((p: any) => p.high)], kind: 'band' },
        { label: 'band low', values: [...pad(past.length), ...f.path.map((p: any) => p.low)], kind: 'band' },
      ];
      if (model?.threshold != null) lines.push({ label: `threshold ${f.threshold.toFixed(1)}×`, values: x.map(() => f.threshold), kind: 'threshold' });
      chart(fcBody, { title: `Ratio and its ${f.horizonDays}-day forecast (log scale)`, x, lines, y: ratioAxis, band: [2, 3], log: true });
      fcBody.append(
        h(
          'div',
          { class: 'figures', id: 'forecast-figures' },
          figure('time to threshold', model?.threshold == null ? 'no threshold' : days(f.daysToThreshold), 'days-to-threshold'),
          figure(`touch within ${f.horizonDays} d`, model?.threshold == null ? '–' : pct(f.probabilityOfThresholdWithinHorizon), 'probability'),
          figure('trend', `${pct(f.trendPerDay, 2)} / day`, 'trend'),
          figure('volatility', `${pct(f.volatilityPerSqrtDay, 2)} / √day`, 'volatility'),
          figure('leading indicator', '', 'leading', model?.threshold == null ? mark('info', 'no threshold') : f.leadingIndicator ? mark('bad', 'on') : mark('ok', 'off')),
        ),
        // The indicator and its reasons are about a threshold; this model has none (models.ts), so they are not shown.
        model?.threshold == null ? h('p', { class: 'note' }, 'This collateral model has no threshold, so the time to it, the chance of touching it and the leading indicator do not apply.') : f.reasons.length ? h('p', { class: 'note' }, f.reasons.join(' ')) : '',
      );
    });

    const forecastBacktest = h('div', { id: 'backtest-forecast' }, h('p', { class: 'muted loading' }, 'Loading…'));
    const riskBacktest = h('div', { id: 'backtest-risk' }, h('p', { class: 'muted loading' }, 'Loading…'));
    btBody.replaceChildren(forecastBacktest, riskBacktest);
    const tests = (t: any) => [`${int(t.kupiec.exceedances)} of ${int(t.kupiec.observations)}`, pct(t.kupiec.expectedRate), pct(t.kupiec.pValue), pct(t.christoffersen.pValue)];
    void gql(BACKTEST_QUERY, { protocol, network, threshold: model?.threshold ?? 1 }).then((a) => {
      const b = a.data?.backtest;
      if (!b) {
        forecastBacktest.replaceChildren(note(`Forecast backtest: ${errorText(a.errors) || 'no answer'}`, 'error'));
        return;
      }
      const c = b.crossings;
      forecastBacktest.replaceChildren(
        table(
          `The forecast: ${int(b.forecasts)} forecasts from ${int(b.observations)} hours, each fitted on ${b.windowHours} hours, checked ${b.horizonHours} hour(s) later`,
          ['prediction', 'confidence', 'horizon', 'exceeded', 'expected rate', 'Kupiec p', 'Christoffersen p'],
          [
            ['ratio’s lower quantile', pct(b.quantile.confidence, 0), `${b.horizonHours} h`, ...tests(b.quantile)],
            [`band (coverage ${pct(b.band.coverage)}; ${int(b.band.below)} below, ${int(b.band.above)} above)`, pct(b.band.bandLevel, 0), `${b.horizonHours} h`, ...tests(b.band)],
          ],
          { numeric: [3, 4, 5, 6], id: 'backtest-forecast-table' },
        ),
        h(
          'p',
          { class: 'note' },
          `Threshold ${c.threshold}× crossings: ${int(c.hits)} predicted and happened, ${int(c.misses)} missed, ${int(c.falseAlarms)} false alarms in ${int(c.predictions)} forecasts; hit rate ${c.hitRate === null ? '– (never touched)' : pct(c.hitRate)}, Brier score ${c.brierScore.toFixed(3)}.`,
        ),
      );
    });
    void gql(RISK_BACKTEST_QUERY, { protocol, network }).then((a) => {
      const r = a.data?.riskBacktest;
      if (!r) {
        riskBacktest.replaceChildren(note(`VaR, LaR and curve backtest: ${errorText(a.errors) || 'no answer'}`, 'error'));
        return;
      }
      const row = (label: string, q: any) => [label, pct(q.confidence, 0), `${q.horizonHours} h`, ...tests(q), usdFloat(q.meanPredictedUSD), usdFloat(q.meanRealisedUSD)];
      const c = r.curve;
      const range = (b: any) => `${move(b.fromMove)} to ${b.toMove === null ? 'beyond' : move(b.toMove)}`;
      const l = r.leftOut;
      const left = [
        l.originsBeyondCap ? `${int(l.originsBeyondCap)} earlier origins beyond the cap of observations` : '',
        l.originsWithoutSnapshot.length ? `${int(l.originsWithoutSnapshot.length)} origins without a snapshot` : '',
        l.originsWithTooLittlePriceHistory.length ? `${int(l.originsWithTooLittlePriceHistory.length)} origins with too little price history` : '',
        l.unpricedPositions ? `${int(l.unpricedPositions)} unpriced positions` : '',
        l.liquidationsWithUnknownShortfall ? `${int(l.liquidationsWithUnknownShortfall)} liquidations of unknown shortfall` : '',
        l.unpricedLiquidations ? `${int(l.unpricedLiquidations)} unpriced liquidations` : '',
      ].filter(Boolean);
      riskBacktest.replaceChildren(
        table(
          `Monte Carlo VaR and LaR: ${int(r.observations)} origins from ${utc(r.from)} to ${utc(r.to)}, ${int(r.paths)} paths each, volatilities from the ${r.windowHours} hours before each`,
          ['prediction', 'confidence', 'horizon', 'exceeded', 'expected rate', 'Kupiec p', 'Christoffersen p', 'mean predicted', 'mean realised'],
          [row('liquidations at risk', r.liquidations), row('insolvency VaR', r.insolvency)],
          { numeric: [3, 4, 5, 6, 7, 8], id: 'backtest-risk-table' },
        ),
        h('p', { class: 'note' }, `Realised: LaR against ${r.liquidations.realised}; VaR against ${r.insolvency.realised}.`),
        c.buckets.length
          ? table(
              `Liquidation curve at the realised moves of at least ${pct(c.minMove, 0)} over ${r.horizonHours} h: ${int(c.observations)} moves, mean absolute error ${usdFloat(c.meanAbsoluteErrorUSD)}`,
              ['move', 'moves', 'predicted', 'realised', 'mean abs. error', 'realised / predicted'],
              c.buckets.map((b: any) => [range(b), int(b.observations), usdFloat(b.predictedUSD), usdFloat(b.realisedUSD), usdFloat(b.meanAbsoluteErrorUSD), b.realisedToPredicted === null ? '–' : b.realisedToPredicted.toFixed(2)]),
              { numeric: [1, 2, 3, 4, 5], id: 'backtest-curve-table' },
            )
          : note(`Liquidation curve: no asset moved by ${pct(c.minMove, 0)} over ${r.horizonHours} h at any origin, so there is nothing to check it against.`),
        h(
          'p',
          { class: 'note', id: 'backtest-left-out' },
          `Origins without such a move: ${int(c.originsWithoutMove.length)} of ${int(r.observations)}. Left out: ${left.length ? left.join('; ') : 'nothing'}. ${l.notes.join('. ')}.`,
        ),
      );
    });

    void gql(DISTANCE_QUERY, { protocol, network }).then((a) => {
      distBody.replaceChildren();
      const d = a.data?.ratio?.distanceToInsolvency;
      if (!d) {
        distBody.append(note(errorText(a.errors) || 'no answer', 'error'));
        return;
      }
      distBody.append(
        table(
          `Smallest moves, searched to ${pct(d.maxDown, 0)} down and ${pct(d.maxUp, 0)} up at a resolution of ${pct(d.resolution, 2)}`,
          ['move', 'buffer turns negative', 'first bad debt'],
          [['all non-stable assets together', distanceText(d.marketWide), distanceText(d.firstBadDebt)], ...d.perAsset.map((p: any) => [`${p.asset} alone`, distanceText(p.distance), distanceText(p.firstBadDebt)])],
          { id: 'distance-table' },
        ),
      );
    });
    if (answer.errors.length) root.append(note(errorText(answer.errors), 'error'));
  },
};

/** The headline figures and the history charts: what a new block changes, so a live update redraws only these. */
function figuresAndHistory(headline: HTMLElement, hist: HTMLElement, data: any, caps: Capabilities): any[] {
  const r = newestDeployment(data.ratio);
  const model = thresholdOf(r.collateralModels);
  const below = model?.threshold != null && r.ratio !== null && Number(r.ratio) < model.threshold;
  const age = r.timestamp ? Math.max(0, Date.now() / 1000 - r.timestamp) : 0;
  headline.replaceChildren(
      figure('ratio', ratio(r.ratio), 'ratio', below ? mark('bad', `below ${model!.threshold!.toFixed(1)}×`) : model?.threshold != null ? mark('ok', `above ${model.threshold.toFixed(1)}×`) : mark('info', 'no threshold')),
      figure('buffer', usd(r.bufferUSD), 'buffer'),
      figure('collateral', usd(r.collateralUSD), 'collateral'),
      figure(Number(r.debtUSD) > 0 ? 'debt' : 'open interest', usd(r.openInterestUSD), 'exposure'),
      figure('block', String(r.blockNumber ?? '–'), 'block', `${utc(r.timestamp)} (${duration(age)} ago)`),
      figure('status', '', 'status', caps.venueStatus ? venueStatusMark(r.status) : 'venue status: not available on this server'),
      figure('marks', '', 'marks', h('span', {}, ...(r.stale ? [mark('warn', 'stale')] : []), ...(!r.complete ? [mark('bad', 'incomplete')] : []), ...(!r.priced ? [mark('warn', `unpriced: ${r.unpricedTokens.join(', ')}`)] : []), ...(r.complete && r.priced && !r.stale ? [mark('ok', 'complete, priced, fresh')] : []))),
  );

  const points = (data.history ?? []) as any[];
  hist.replaceChildren();
  if (points.length < 2) hist.append(note('Not enough history for a chart yet.'));
  else {
    const x = points.map((p) => p.timestamp);
    const lines = [{ label: 'ratio', values: points.map((p) => (p.ratio === null ? null : Number(p.ratio))) }];
    if (model?.threshold != null) lines.push({ label: `threshold ${model.threshold.toFixed(1)}× (${model.name})`, values: x.map(() => model.threshold!), kind: 'threshold' } as never);
    const grid = h('div', { class: 'grid2' });
    hist.append(grid);
    chart(grid, { title: 'Ratio (log scale)', x, lines, y: ratioAxis, log: true });
    chart(grid, { title: 'Collateral and exposure (USD)', x, lines: [{ label: 'collateral', values: points.map((p) => Number(p.collateralUSD)) }, { label: 'exposure', values: points.map((p) => Number(p.openInterestUSD)) }], y: compactUsd });
    const lending = points.some((p) => Number(p.debtUSD) > 0);
    chart(grid, {
      title: lending ? 'Debt (USD)' : 'Open interest by side (USD)',
      x,
      lines: lending ? [{ label: 'debt', values: points.map((p) => Number(p.debtUSD)) }] : [{ label: 'long', values: points.map((p) => Number(p.longOpenInterestUSD)) }, { label: 'short', values: points.map((p) => Number(p.shortOpenInterestUSD)) }],
      y: compactUsd,
    });
    chart(grid, { title: 'Buffer (USD)', x, lines: [{ label: 'buffer', values: points.map((p) => Number(p.bufferUSD)) }], y: compactUsd });
  }
  return points;
}

/** Ratio axis labels: two decimals from 1 up, two significant digits below (a log axis reaches 0.001). */
const ratioAxis = (v: number) => (Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(2)) + '×';

/** Axis labels: "$1.2M". */
export function compactUsd(v: number): string {
  const a = Math.abs(v);
  const s = a >= 1e9 ? (a / 1e9).toFixed(1) + 'B' : a >= 1e6 ? (a / 1e6).toFixed(1) + 'M' : a >= 1e3 ? (a / 1e3).toFixed(0) + 'k' : a.toFixed(0);
  return (v < 0 ? '−$' : '$') + s;
}

/** A token amount: whole tokens with up to 4 decimals, grouped. */
function amount(text: string): string {
  const [int, frac = ''] = text.split('.');
  const trimmed = frac.slice(0, 4).replace(/0+$/, '');
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (trimmed ? '.' + trimmed : '');
}
