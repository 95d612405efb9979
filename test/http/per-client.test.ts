/**
 * The per-client bounds, counted on a clock the test moves (no waiting): a
 * client's burst passes, past it requests are held to bring the client back to
 * its rate, past the longest hold they are refused with a Retry-After; other
 * clients are not held by it; a client holding its limit is refused until it
 * gives one back; idle clients are forgotten.
 */
import type { IncomingMessage } from 'node:http';
import { clientOf, PerClientLimit, PerClientRate } from '../../server/http/per-client';

describe('PerClientRate', () => {
  test('burst at once, then held to the rate up to maxDelayMs, then refused; another client is not held', () => {
    let now = 0;
    const rate = new PerClientRate({ requestsPerSecond: 10, burst: 5, maxDelayMs: 1_000 }, () => now);
    const decisions = Array.from({ length: 17 }, () => rate.decide('abuser'));
    // 5 at once pass, each next one is held 100 ms (1 / 10 per second) longer, up to 1,000 ms.
    expect(decisions.slice(0, 5)).toEqual(Array(5).fill({ waitMs: 0 }));
    expect(decisions.slice(5, 15).map((d) => ('waitMs' in d ? Math.round(d.waitMs) : -1))).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(decisions[15]).toEqual({ retryAfterSeconds: 1 });
    expect(decisions[16]).toEqual({ retryAfterSeconds: 1 });
    expect(rate.stats).toEqual({ delayed: 10, refused: 2 });
    // A refused request takes nothing: once time has passed, the client is back at its rate.
    expect(rate.decide('someone else')).toEqual({ waitMs: 0 });
    now = 1_500; // the 15 let through are paid for at 10 a second: the next passes at once
    expect(rate.decide('abuser')).toEqual({ waitMs: 0 });
    now = 10_000;
    expect(rate.clients).toBe(0);
  });

  test('a client keeping to its rate is never held', () => {
    let now = 0;
    const rate = new PerClientRate({ requestsPerSecond: 50, burst: 1, maxDelayMs: 0 }, () => now);
    for (let i = 0; i < 1_000; i++, now += 20) expect(rate.decide('steady')).toEqual({ waitMs: 0 });
    expect(rate.stats).toEqual({ delayed: 0, refused: 0 });
  });

  test('requestsPerSecond 0 is no bound', () => {
    const rate = new PerClientRate({ requestsPerSecond: 0, burst: 1, maxDelayMs: 0 }, () => 0);
    for (let i = 0; i < 1_000; i++) expect(rate.decide('any')).toEqual({ waitMs: 0 });
  });
});

describe('PerClientLimit', () => {
  test('a client holding max is refused until it gives one back; others are not; giving back twice counts once', () => {
    const limit = new PerClientLimit(2);
    const a = limit.acquire('a');
    const b = limit.acquire('a');
    expect(a && b).toBeTruthy();
    expect(limit.acquire('a')).toBeNull();
    expect(limit.refused).toBe(1);
    const other = limit.acquire('b');
    expect(other).toBeTruthy();
    a!();
    a!();
    expect(limit.holding('a')).toBe(1);
    const c = limit.acquire('a');
    expect(c).toBeTruthy();
    expect(limit.acquire('a')).toBeNull();
    for (const give of [b, c, other]) give!();
    expect(limit.clients).toBe(0);
  });
});

test('clientOf: the peer, or the first X-Forwarded-For address only when trusted', () => {
  const req = { headers: { 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }, socket: { remoteAddress: '10.0.0.1' } } as unknown as IncomingMessage;
  expect(clientOf(req, false)).toBe('10.0.0.1');
  expect(clientOf(req, true)).toBe('203.0.113.7');
});
