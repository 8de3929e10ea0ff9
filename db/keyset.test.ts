import { DrizzleQueryError } from 'drizzle-orm/errors';
import { decodeCursor, encodeCursor, InvalidCursorError, isoTimestamp, withCursor } from './keyset';

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it.each([
    ['2026-03-02 09:00:00.123456+00', 'approval:po:BK-1', 'task.1'],
    ['2026-03-02 17:00:00+08', 'approval:流程:单据/1', 't'],
    ['2026-03-02T09:00:00.1Z', 'a', 'b'],
    ['2026-03-02 03:30:00.5+05:30', 'x', 'y'],
  ])('round-trips %s', (...key) => {
    const cursor = encodeCursor(key as [string, string, string]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, 3)).toEqual(key);
  });

  it('round-trips a two-part key (instance lists)', () => {
    expect(decodeCursor(encodeCursor(['2026-01-31 23:59:59.999999+00', 'approval:x:1']), 2)).toEqual(['2026-01-31 23:59:59.999999+00', 'approval:x:1']);
  });

  const bad: Array<[string, string]> = [
    ['an empty string', ''],
    ['garbage characters', 'not a cursor!'],
    ['standard base64 padding', `${b64(JSON.stringify(['2026-03-02 09:00:00+00', 'a', 'b']))}==`],
    ['base64 of non-JSON', b64('hello world')],
    ['base64 of truncated JSON', b64('["2026-03-02 09:00:00+00", "a"')],
    ['bad base64 (a lone trailing character)', 'A'],
    ['a JSON object', b64(JSON.stringify({ at: '2026-03-02 09:00:00+00', id: 'a', task: 'b' }))],
    ['a JSON string', b64(JSON.stringify('2026-03-02 09:00:00+00'))],
    ['too few elements', encodeCursor(['2026-03-02 09:00:00+00', 'a'])],
    ['too many elements', encodeCursor(['2026-03-02 09:00:00+00', 'a', 'b', 'c'])],
    ['a number element', b64(JSON.stringify(['2026-03-02 09:00:00+00', 1, 'b']))],
    ['a null element', b64(JSON.stringify(['2026-03-02 09:00:00+00', null, 'b']))],
    ['an empty id', encodeCursor(['2026-03-02 09:00:00+00', '', 'b'])],
    ['an over-long id', encodeCursor(['2026-03-02 09:00:00+00', 'x'.repeat(201), 'b'])],
    ['a first element that is no timestamp', encodeCursor(['approval:po:1', 'a', 'b'])],
    ['a date without a time', encodeCursor(['2026-03-02', 'a', 'b'])],
    ['a timestamp without a zone', encodeCursor(['2026-03-02 09:00:00', 'a', 'b'])],
    ['a numeric timestamp', b64(JSON.stringify([1772442000000, 'a', 'b']))],
    ['an impossible month', encodeCursor(['2026-13-02 09:00:00+00', 'a', 'b'])],
    ['an over-long cursor', 'A'.repeat(1001)],
  ];

  it.each(bad)('refuses %s with InvalidCursorError', (_name, cursor) => {
    expect(() => decodeCursor(cursor, 3)).toThrow(InvalidCursorError);
  });

  it('a cursor of one size is refused where another size is expected', () => {
    const taskCursor = encodeCursor(['2026-03-02 09:00:00+00', 'a', 'b']);
    expect(() => decodeCursor(taskCursor, 2)).toThrow(InvalidCursorError);
  });

  it('InvalidCursorError says what is wrong, for the 400 answer', () => {
    expect(new InvalidCursorError().message).toBe('is not a cursor this list returned');
  });
});

describe('withCursor', () => {
  it('turns the date/time errors Postgres raises for a cursor timestamp into InvalidCursorError', async () => {
    for (const code of ['22007', '22008']) {
      await expect(withCursor(() => Promise.reject(Object.assign(new Error('bad timestamp'), { code })))).rejects.toThrow(InvalidCursorError);
    }
  });

  // drizzle-orm wraps driver errors in a DrizzleQueryError whose own `code` is undefined.
  it('recognises the date/time error as drizzle-orm actually throws it (wrapped, code on `cause`)', async () => {
    const postgresError = Object.assign(new Error('date/time field value out of range: "2026-02-30 08:00:00+00"'), { code: '22008' });
    const wrapped = new DrizzleQueryError('select … where (created_at, …) < ($1::timestamptz, …)', ['2026-02-30 08:00:00+00'], postgresError);
    await expect(withCursor(() => Promise.reject(wrapped))).rejects.toThrow(InvalidCursorError);
  });

  it('passes results and other errors through', async () => {
    await expect(withCursor(() => Promise.resolve(42))).resolves.toBe(42);
    const other = Object.assign(new Error('connection lost'), { code: '08006' });
    await expect(withCursor(() => Promise.reject(other))).rejects.toBe(other);
    const wrappedOther = new DrizzleQueryError('select 1', [], other);
    await expect(withCursor(() => Promise.reject(wrappedOther))).rejects.toBe(wrappedOther);
  });
});

describe('isoTimestamp', () => {
  it('prints a Postgres timestamp as ISO, and null as undefined', () => {
    expect(isoTimestamp('2026-03-02 17:00:00.123+08')).toBe('2026-03-02T09:00:00.123Z');
    expect(isoTimestamp(null)).toBeUndefined();
  });
});
