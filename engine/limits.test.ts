import { formBoundProblems, MAX_FORM_BYTES, MAX_FORM_FIELDS, utf8ByteLength } from './limits';

describe('utf8ByteLength', () => {
  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['金额', 6],
    ['😀', 4],
    ['a😀b', 6],
    // A lone surrogate is encoded as U+FFFD (3 bytes), as TextEncoder does.
    ['\ud800', 3],
    ['\udc00x', 4],
  ])('%j is %i bytes, as TextEncoder counts', (text, bytes) => {
    expect(utf8ByteLength(text)).toBe(bytes);
    expect(new TextEncoder().encode(text).length).toBe(bytes);
  });
});

describe('formBoundProblems', () => {
  it('lets a form at the bounds through', () => {
    const fields = Object.fromEntries(Array.from({ length: MAX_FORM_FIELDS }, (_, i) => [`f${i}`, i]));
    expect(formBoundProblems(fields)).toEqual([]);
    const overhead = JSON.stringify({ note: '' }).length;
    expect(formBoundProblems({ note: 'x'.repeat(MAX_FORM_BYTES - overhead) })).toEqual([]);
  });

  it('names the form, its field count and the bound', () => {
    const fields = Object.fromEntries(Array.from({ length: MAX_FORM_FIELDS + 1 }, (_, i) => [`f${i}`, i]));
    expect(formBoundProblems(fields)).toEqual([{ field: 'form', message: 'has 201 fields; at most 200 are allowed' }]);
  });

  it('counts UTF-8 bytes of the JSON, not characters', () => {
    const overhead = JSON.stringify({ note: '' }).length;
    // Each 金 is 3 bytes: a third as many characters as the bound is already over it.
    const note = '金'.repeat(Math.ceil((MAX_FORM_BYTES - overhead) / 3) + 1);
    expect(formBoundProblems({ note }, 'resubmit.form')).toEqual([
      { field: 'resubmit.form', message: `is ${overhead + note.length * 3} bytes as JSON; at most 65536 bytes (64 KiB) are allowed` },
    ]);
    expect(formBoundProblems({ note: 'x'.repeat(MAX_FORM_BYTES - overhead + 1) })).toHaveLength(1);
  });
});
