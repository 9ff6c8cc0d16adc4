// The bad values the corpus is made of, as fast-check arbitraries: wrong types, huge numbers and strings,
// unicode (lone surrogates too, written as the raw JSON escapes `\ud800` that JSON.stringify emits), control
// characters, SQL and CSV metacharacters, prototype keys — and JSON values as a tree that can also hold what
// JSON.stringify cannot write: number tokens out of range, duplicate and `__proto__` keys.
import fc from 'fast-check';

/** A JSON value; `raw` is written as is (e.g. `1e999`), `entries` is an object whose keys may repeat. */
export type Json = null | boolean | number | string | Json[] | { raw: string } | { entries: [string, Json][] };

export function toJsonText(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if ('raw' in value) return value.raw;
  return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
}

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
const control = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));

export const metacharacters = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '1; SELECT pg_sleep(10)',
  "$$'; --",
  '\\',
  '"',
  '%',
  '_%',
  '=CMD|\' /C calc\'!A0',
  '+SUM(1,1)',
  '-2+3',
  '@SUM(A1)',
  '\t=1',
  '\r=1',
  'a,b;c\nd',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '${7*7}{{7*7}}',
  '__proto__',
  'constructor',
  'null',
  'NaN',
  '',
  ' ',
  '\u0000',
  '\u202egnp.exe',
  '\ufeffBOM',
  'zero\u200bwidth',
  'e\u0301\u0301\u0301',
  '😀👩‍👩‍👧',
  '\uffff\ufffe',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...metacharacters),
  fc.tuple(fc.string({ maxLength: 6 }), loneSurrogate, fc.string({ maxLength: 6 })).map((parts) => parts.join('')),
  fc.tuple(fc.string({ maxLength: 6 }), control).map((parts) => parts.join('')),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  // Long: past a field's limit, past 64 KiB (413) with multi-byte characters.
  fc.tuple(fc.constantFrom(101, 300, 5000, 70_000), fc.constantFrom('a', 'é', '😀', "'")).map(([n, c]) => c.repeat(n)),
);

export const nastyNumber: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(0, -1, 1.5, 2 ** 31, 2 ** 31 - 1, -(2 ** 31), 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e308, -1e308, 5e-324, 5001, 1_000_001),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom<Json>({ raw: '1e999' }, { raw: '-1e999' }, { raw: '-0' }, { raw: '123456789012345678901234567890' }, { raw: '1E2' }, { raw: '0.1e-400' }),
);

export const wrongType: fc.Arbitrary<Json> = fc.constantFrom<Json>(null, true, false, [], [1, 'a'], { entries: [] }, { entries: [['a', 1]] }, '7', 'true', [[[[[]]]]]);

/** Any bad value for a field. */
export const badValue: fc.Arbitrary<Json> = fc.oneof(nastyString, nastyNumber, wrongType);

/** Keys no body documents, and the ones that poison prototypes. */
export const strangeKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'role', 'id', 'is_admin', 'user_id', 'password_hash', '', 'a'.repeat(300)),
  nastyString.filter((s) => s.length < 200),
);

/** Whole bodies that are not what any route takes. */
export const brokenBody: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '{', '{"a":', '}', 'null', '[]', '"x"', '1', 'true', '{"a":1}}', "{'a':1}", '{"a":1,}', '\u0000', '{"a":"\\ud800"}', '{"\\udc00":1}', '{"a":"\\u0000"}', 'email=a&password=b'),
  fc.constantFrom(10, 5000, 40_000).map((depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`),
  fc.constantFrom(10, 5000, 40_000).map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  fc.constant(`{"name":"${'x'.repeat(70_000)}"}`),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** A string in a URL: percent-encoded, lone surrogates as the (invalid) UTF-8 bytes they would have. */
export function encodeLoose(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

/** Path segments where an id goes, already encoded: malformed, out of range, injected, unicode. */
export const badIdSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '2147483648', '2147483647', '999999', '1.5', '1e3', '0x10', '+1', '01', '%201', 'abc', 'null', '__proto__', 'constructor'),
  fc.constantFrom('%00', '%27%20OR%201%3D1', '%F0%9F%98%80', '%ED%A0%80', '%FF', '%EF%BC%91', '%2e%2e', '%2F', '9'.repeat(400), '%'),
  nastyString.filter((s) => s.length < 300).map(encodeLoose),
);

/** Header values fetch can send (Latin-1, no CR/LF): a ByteString. */
export const latin1Text: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'x'.repeat(300), 'clé', '\u00ff\u00fe', "' OR 1=1 --", '=1+1', 'null', '\t'),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 40 }),
);
