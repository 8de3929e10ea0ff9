import { addDuration, parseIsoDuration } from './duration';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('parseIsoDuration', () => {
  it.each([
    ['PT24H', 24 * HOUR],
    ['PT1H', HOUR],
    ['PT1H30M', HOUR + 30 * 60_000],
    ['PT90M', 90 * 60_000],
    ['PT45S', 45_000],
    ['PT0.5S', 500],
    ['PT1.25S', 1250],
    ['P2D', 2 * DAY],
    ['P1W', 7 * DAY],
    ['P1DT12H', DAY + 12 * HOUR],
    ['P1W2D', 9 * DAY],
    ['P3DT4H5M6S', 3 * DAY + 4 * HOUR + 5 * 60_000 + 6000],
  ])('%s is %d ms', (text, ms) => {
    expect(parseIsoDuration(text)).toBe(ms);
  });

  it.each([
    ['P1Y', 'years have no fixed length'],
    ['P1M', 'months have no fixed length'],
    ['P1Y2D', 'years mixed with days'],
    ['P', 'nothing after P'],
    ['PT', 'nothing after T'],
    ['P1DT', 'a dangling T'],
    ['P0D', 'zero length'],
    ['PT0S', 'zero length'],
    ['PT0.0001S', 'rounds to zero milliseconds'],
    ['', 'empty'],
    ['24H', 'no leading P'],
    ['pt24h', 'lower case'],
    ['PT-1H', 'negative'],
    ['PT1H ', 'trailing space'],
    ['P1H', 'hours outside the time part'],
    ['PT1D', 'days inside the time part'],
    ['PT1.5H', 'a fraction other than seconds'],
  ])('%s is refused (%s)', (text) => {
    expect(parseIsoDuration(text)).toBeNull();
  });
});

describe('addDuration', () => {
  it('adds a duration to an ISO timestamp and answers an ISO timestamp', () => {
    expect(addDuration('2026-03-02T09:00:00.000Z', 'PT24H')).toBe('2026-03-03T09:00:00.000Z');
    expect(addDuration('2026-03-02T09:00:00.000Z', 'PT1H30M')).toBe('2026-03-02T10:30:00.000Z');
    expect(addDuration('2026-03-02T09:00:00.000Z', 'P1W')).toBe('2026-03-09T09:00:00.000Z');
    expect(addDuration('2026-03-02T09:00:00.000Z', 'PT0.5S')).toBe('2026-03-02T09:00:00.500Z');
  });

  it('crosses month and year boundaries by elapsed time (no calendar arithmetic)', () => {
    expect(addDuration('2026-02-28T12:00:00.000Z', 'P1D')).toBe('2026-03-01T12:00:00.000Z');
    expect(addDuration('2026-12-31T23:30:00.000Z', 'PT1H')).toBe('2027-01-01T00:30:00.000Z');
  });

  it('normalises a timestamp with an offset to UTC', () => {
    expect(addDuration('2026-03-02T09:00:00+08:00', 'PT1H')).toBe('2026-03-02T02:00:00.000Z');
  });

  it('throws on a duration that does not parse', () => {
    expect(() => addDuration('2026-03-02T09:00:00.000Z', 'P1M')).toThrow(/P1M/);
    expect(() => addDuration('2026-03-02T09:00:00.000Z', 'soon')).toThrow();
  });
});
