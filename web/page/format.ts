/**
 * Display of the API's figures. USD figures and ratios arrive as exact
 * decimal strings (BigDecimal) and are rounded here as strings, half away
 * from zero, so the page shows the answer's own digits and never a float's.
 * Floats (VaR, moves, probabilities) are the API's statistical outputs.
 */

/** A decimal string rounded to `places` decimals (half away from zero), without exponent. */
export function roundDecimal(text: string, places: number): string {
  const negative = text.startsWith('-');
  const [whole, frac = ''] = (negative ? text.slice(1) : text).split('.');
  const digits = BigInt(whole + frac.padEnd(places + 1, '0').slice(0, places + 1));
  const rounded = (digits + 5n) / 10n;
  const s = rounded.toString().padStart(places + 1, '0');
  const int = s.slice(0, s.length - places) || '0';
  const dec = places > 0 ? '.' + s.slice(s.length - places) : '';
  const zero = /^[0.]*$/.test(int + dec);
  return (negative && !zero ? '-' : '') + int + dec;
}

/** Thousands separators on the integer part of a plain decimal string. */
export function group(text: string): string {
  const negative = text.startsWith('-');
  const [int, dec] = (negative ? text.slice(1) : text).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '−' : '') + grouped + (dec !== undefined ? '.' + dec : '');
}

/** A USD BigDecimal as "$1,234,567" (whole dollars); null as a dash. */
export function usd(text: string | null | undefined): string {
  if (text === null || text === undefined) return '–';
  const g = group(roundDecimal(text, 0));
  return g.startsWith('−') ? '−$' + g.slice(1) : '$' + g;
}

/** A USD float (simulation output) the same way. */
export function usdFloat(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return usd(value.toFixed(0));
}

/** A ratio BigDecimal to 4 decimals, with its unit: "1.2345×". */
export function ratio(text: string | null | undefined): string {
  if (text === null || text === undefined) return '–';
  return group(roundDecimal(text, 4)) + '×';
}

/** A fraction as a percentage: 0.153 -> "15.3%". */
export function pct(value: number | null | undefined, places = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return (value * 100).toFixed(places) + '%';
}

/** A signed move as a percentage: -0.2 -> "−20%". */
export function move(value: number): string {
  const p = Math.round(value * 1000) / 10;
  return (p > 0 ? '+' : p < 0 ? '−' : '') + Math.abs(p) + '%';
}

/** A Unix time in UTC: "2026-03-02 14:05 UTC". */
export function utc(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '–';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** A duration in seconds, short: "45 s", "12 min", "3.2 h", "2.1 d". */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86400).toFixed(1)} d`;
}

/** An integer with thousands separators. */
export function int(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  return group(String(value));
}

/** A day count: "3.4 days". */
export function days(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'never (within the model)';
  return `${value.toFixed(1)} days`;
}
