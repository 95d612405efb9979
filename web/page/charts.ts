/**
 * Charts with uPlot. Colours are Okabe and Ito's palette (readable with every
 * common colour-vision deficiency, https://jfly.uni-koeln.de/color/), and
 * every series also differs by dash pattern and is named in the legend, so
 * no chart relies on colour alone.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export const PALETTE = {
  blue: '#0072B2',
  orange: '#E69F00',
  green: '#009E73',
  vermillion: '#D55E00',
  sky: '#56B4E9',
  purple: '#CC79A7',
  yellow: '#F0E442',
  black: '#000000',
} as const;
const ORDER = [PALETTE.blue, PALETTE.orange, PALETTE.green, PALETTE.purple, PALETTE.sky, PALETTE.vermillion, PALETTE.black];
const DASHES: (number[] | undefined)[] = [undefined, [6, 3], [2, 2], [10, 3, 2, 3], [4, 4], [1, 3], [8, 2]];

export interface Line {
  label: string;
  values: (number | null)[];
  /** Threshold lines are drawn dashed in black. */
  kind?: 'series' | 'threshold' | 'band';
}

export interface ChartSpec {
  title: string;
  /** x values: Unix seconds when time is true (the default), else plain numbers. */
  x: number[];
  time?: boolean;
  lines: Line[];
  /** Formats y values on the axis and in the legend. */
  y?: (v: number) => string;
  xFormat?: (v: number) => string;
  height?: number;
  /** Indexes of two lines to shade between (a band: high, low). */
  band?: [number, number];
  /** A log y axis (ratios: the forecast models ln(ratio)); linear when a value is not positive. */
  log?: boolean;
}

const charts = new Set<{ plot: uPlot; el: HTMLElement }>();
const observer = typeof ResizeObserver !== 'undefined' ? new ResizeObserver(() => resizeAll()) : null;
function resizeAll(): void {
  for (const c of charts) {
    if (!c.el.isConnected) {
      c.plot.destroy();
      charts.delete(c);
      continue;
    }
    const width = Math.max(200, c.el.clientWidth);
    if (Math.abs(width - c.plot.width) > 2) c.plot.setSize({ width, height: c.plot.height });
  }
}

/** uPlot renders UTC when its tzDate keeps the date as UTC: every date on the page is UTC. */
const utcDate = (ts: number) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');

export function chart(container: HTMLElement, spec: ChartSpec): uPlot {
  const wrap = document.createElement('figure');
  wrap.className = 'chart';
  const caption = document.createElement('figcaption');
  caption.textContent = spec.title;
  wrap.append(caption);
  const area = document.createElement('div');
  area.className = 'chart-area';
  wrap.append(area);
  container.append(wrap);
  const y = spec.y ?? ((v: number) => String(v));
  let colour = 0;
  const series: uPlot.Series[] = [
    { label: spec.time === false ? 'move' : 'time (UTC)', value: spec.xFormat ? (_u, v) => (v === null ? '–' : spec.xFormat!(v)) : undefined },
    ...spec.lines.map((l): uPlot.Series => {
      if (l.kind === 'threshold') return { label: l.label, stroke: PALETTE.black, dash: [8, 4], width: 1.5, value: (_u, v) => (v === null ? '–' : y(v)), points: { show: false } };
      if (l.kind === 'band') return { label: l.label, stroke: PALETTE.sky, dash: [2, 3], width: 1, value: (_u, v) => (v === null ? '–' : y(v)), points: { show: false } };
      const i = colour++;
      return { label: l.label, stroke: ORDER[i % ORDER.length], dash: DASHES[i % DASHES.length], width: 2, value: (_u, v) => (v === null ? '–' : y(v)), points: { show: spec.x.length < 40 } };
    }),
  ];
  const opts: uPlot.Options = {
    width: Math.max(200, area.clientWidth || container.clientWidth || 600),
    height: spec.height ?? 220,
    tzDate: utcDate,
    scales: { x: { time: spec.time !== false }, y: spec.log && spec.lines.every((l) => l.values.every((v) => v === null || v > 0)) ? { distr: 3 } : {} },
    series,
    axes: [
      spec.time === false ? { values: (_u, vals) => vals.map((v) => (spec.xFormat ? spec.xFormat(v) : String(v))) } : {},
      { values: (_u, vals) => vals.map((v) => (v === null || v === undefined ? '' : y(v))), size: 80 },
    ],
    bands: spec.band ? [{ series: [spec.band[0] + 1, spec.band[1] + 1], fill: 'rgba(86,180,233,0.25)' }] : undefined,
    legend: { live: true },
  };
  const plot = new uPlot(opts, [spec.x, ...spec.lines.map((l) => l.values)] as uPlot.AlignedData, area);
  charts.add({ plot, el: area });
  observer?.observe(area);
  return plot;
}

/** A small line without axes or legend, with its first and last values as text beside it. */
export function sparkline(container: HTMLElement, x: number[], values: (number | null)[], label: string, threshold: number | null): void {
  const area = document.createElement('div');
  area.className = 'spark';
  area.setAttribute('role', 'img');
  area.setAttribute('aria-label', label);
  container.append(area);
  if (x.length < 2) {
    area.textContent = 'no history';
    return;
  }
  const lines: (number | null)[][] = [values];
  const series: uPlot.Series[] = [{}, { stroke: PALETTE.blue, width: 1.5, points: { show: false } }];
  if (threshold !== null) {
    lines.push(values.map(() => threshold));
    series.push({ stroke: PALETTE.black, dash: [3, 3], width: 1, points: { show: false } });
  }
  const plot = new uPlot(
    { width: 120, height: 32, series, axes: [{ show: false }, { show: false }], legend: { show: false }, cursor: { show: false }, scales: { x: { time: false } }, padding: [2, 2, 2, 2] },
    [x, ...lines] as uPlot.AlignedData,
    area,
  );
  charts.add({ plot, el: area });
}

/** Destroys the charts of elements no longer on the page. */
export function collectCharts(): void {
  resizeAll();
}
