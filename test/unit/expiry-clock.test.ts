import type { SessionData } from 'express-session';
import { ExpiryClock } from '../../lib/session/expiry-clock';

const DAY = 24 * 60 * 60 * 1000;
const noCookie = { foo: 'bar' } as unknown as SessionData;

describe('ExpiryClock', () => {
  afterEach(() => jest.useRealTimers());

  test('two writes of one session in one millisecond get increasing expiries', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    const first = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    const second = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    const third = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    expect(first).toBe(1_700_000_000_000 + DAY);
    expect([second, third]).toEqual([first + 1, first + 2]);
    // Another session in the same millisecond is not moved.
    expect(clock.expiryOf('b', noCookie, DAY, undefined).getTime()).toBe(first);
  });

  test('a nudge carries into the next millisecond, and is forgotten once the clock passes it', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    const first = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    const nudged = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    jest.advanceTimersByTime(1);
    expect(clock.expiryOf('a', noCookie, DAY, undefined).getTime()).toBe(nudged + 1);
    jest.advanceTimersByTime(10);
    expect(clock.expiryOf('a', noCookie, DAY, undefined).getTime()).toBe(first + 11);
  });

  test('a burst of several writes a millisecond keeps increasing, however far the nudges have gone', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    const expiries: number[] = [];
    for (let ms = 0; ms < 5; ms += 1) {
      for (let write = 0; write < 4; write += 1) expiries.push(clock.expiryOf('a', noCookie, DAY, undefined).getTime());
      jest.advanceTimersByTime(1);
    }
    // 4 writes a millisecond for 5 ms: 20 expiries, each one after the last (15 ms past the clock at the end).
    expect(expiries).toEqual(expiries.map((_, i) => 1_700_000_000_000 + DAY + i));
  });

  test('a write after a pause is still moved past a nudged one, until the clock has caught up', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    const start = 1_700_000_000_000 + DAY;
    for (let write = 0; write < 10; write += 1) clock.expiryOf('a', noCookie, DAY, undefined); // up to start + 9
    jest.advanceTimersByTime(5); // a slow statement: the clock alone would say start + 5
    expect(clock.expiryOf('a', noCookie, DAY, undefined).getTime()).toBe(start + 10);
    jest.advanceTimersByTime(20);
    expect(clock.expiryOf('a', noCookie, DAY, undefined).getTime()).toBe(start + 25);
  });

  test('nudges carry an expiry at most a second past the clock', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    let last = 0;
    for (let write = 0; write < 1500; write += 1) last = clock.expiryOf('a', noCookie, DAY, undefined).getTime();
    expect(last).toBe(1_700_000_000_000 + DAY + 1000);
  });

  test('a cookie expiry is the browser’s and is kept as it is', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    const expires = new Date(1_700_000_500_000);
    const session = { cookie: { expires } } as unknown as SessionData;
    expect(clock.expiryOf('a', session, DAY, undefined).getTime()).toBe(expires.getTime());
    expect(clock.expiryOf('a', session, DAY, undefined).getTime()).toBe(expires.getTime());
  });

  test('a shorter ttl really is earlier: only a repeat of the same instant is moved', () => {
    jest.useFakeTimers({ now: 1_700_000_000_000 });
    const clock = new ExpiryClock();
    expect(clock.expiryOf('a', noCookie, DAY, 60_000).getTime()).toBe(1_700_000_060_000);
    expect(clock.expiryOf('a', noCookie, DAY, 1_000).getTime()).toBe(1_700_000_001_000);
    expect(clock.expiryOf('a', noCookie, DAY, 1_000).getTime()).toBe(1_700_000_001_001);
  });
});
