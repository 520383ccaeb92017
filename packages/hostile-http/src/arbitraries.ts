import fc from 'fast-check';

/**
 * Strings that broke parsers before: prototype keys, dot segments, NUL, bidi overrides, a lone
 * surrogate, combining marks, full-width letters that case-fold into ASCII, numbers past double.
 */
const NASTY_STRINGS = [
  '',
  ' ',
  '__proto__',
  'constructor',
  'prototype',
  '..',
  '.',
  '%',
  '%00',
  '\u0000',
  '\u202eelppa',
  '\ud800',
  'a\u0301',
  '\uff41\uff50\uff50\uff4c\uff45',
  'APPLE',
  'apple ',
  ' apple',
  'apple\n',
  '1e400',
  '-0',
  'null',
  '😀'.repeat(50),
  'x'.repeat(4096),
];

/** Any text: arbitrary code points (lone surrogates too), graphemes, and the nasty list above. */
export function hostileText(maxLength = 64): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.constantFrom(...NASTY_STRINGS),
  );
}

/** UTF-8 percent-encoding of every byte outside RFC 3986's unreserved set. */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9._~-]/.test(char)
      ? char
      : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * One path segment as it goes on the wire: hostile text percent-encoded; broken escapes (`%E0%A4`,
 * overlong `%C0%AF`, encoded `/` and dot segments); and raw latin1 bytes, control characters
 * included, which the server's HTTP parser itself must refuse cleanly.
 */
export function pathSegment(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: hostileText().map(percentEncode) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%E0%A4',
        '%C0%AF',
        '%2F',
        '%2e%2e',
        '..',
        '%00',
        '%FF%FE',
        'apple%00',
        'app%6Ce',
        'apple;x=1',
        'apple.json',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: latin1Char(), minLength: 1, maxLength: 20 }) },
  );
}

/**
 * Request bodies that are, or pretend to be, JSON: any JSON value, near-misses of the API's own
 * shapes, duplicate and prototype keys, deep nesting, and text that is no JSON at all.
 */
export function jsonishBody(): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
    { weight: 2, arbitrary: nearMissObject().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: hostileText(200) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        'null',
        '{',
        '{"sku":"apple","sku":"pear"}',
        '{"__proto__":{"qty":1},"sku":"apple"}',
        '{"constructor":{"prototype":{"x":1}}}',
        '{"qty":1e400}',
        '{"qty":-0}',
        '{"sku":"\\ud800"}',
        '\ufeff{"sku":"apple"}',
        '['.repeat(5000) + ']'.repeat(5000),
        '{"a":'.repeat(2000) + '1' + '}'.repeat(2000),
      ),
    },
  );
}

/** Objects with the field names the APIs know, holding values of every type. */
function nearMissObject(): fc.Arbitrary<Record<string, unknown>> {
  const anyValue = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    hostileText(),
    fc.double(),
    fc.integer(),
  );
  return fc.dictionary(
    fc.constantFrom('sku', 'qty', 'username', 'password', 'quantity', '__proto__', 'id'),
    anyValue,
    { maxKeys: 4 },
  );
}

/** `Content-Type` values a client may send, right, wrong or broken. */
export function contentType(): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    fc.constantFrom(
      undefined,
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/json;;;',
      'application/json; charset=',
      'application/merge-patch+json',
      'text/plain',
      'text/html',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      '',
      '*/*',
    ),
    fc.string({ unit: latin1Char(), maxLength: 40 }),
  );
}

/** Methods: the usual ones, WebDAV's, made-up tokens, and lower case (which parsers refuse). */
export function httpMethod(): fc.Arbitrary<string> {
  return fc.constantFrom(
    'GET',
    'HEAD',
    'POST',
    'PUT',
    'PATCH',
    'DELETE',
    'OPTIONS',
    'TRACE',
    'PROPFIND',
    'MKCOL',
    'PURGE',
    'FOO',
    'get',
  );
}

/**
 * Values for a token header (`X-Auth-Token`): empty, blanks, well-formed but unknown, wrong
 * length, 8-bit bytes, separators, and long ones.
 */
export function tokenValue(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom('', ' ', 'null', 'undefined', 'Bearer x', 'a,b', '"quoted"', '=='),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    fc.string({ unit: latin1Char(), maxLength: 100 }),
    fc.nat({ max: 8_000 }).map((n) => 'A'.repeat(n)),
  );
}

/**
 * A whole `Cookie` header around the session cookie `name`: bad base64, empty, duplicated,
 * quoted, percent-garbage, oversized, and hundreds of other cookies.
 */
export function cookieHeader(name: string): fc.Arbitrary<string> {
  const sessionValue = fc.oneof(
    fc.constantFrom(
      '',
      '""',
      '%',
      '%E0%A4',
      '%00',
      '%0A',
      '%0D%0AX-Evil:%201',
      '%7F',
      '!!!',
      '====',
      'a b',
      'Zm9v\u0080',
      '\\',
    ),
    fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    // Cookie values are percent-decoded by the server: this decodes to anything, NUL and CRLF too.
    hostileText().map(percentEncode),
    fc.string({ unit: latin1Char(), maxLength: 60 }).filter((v) => !v.includes(';')),
    fc.nat({ max: 6_000 }).map((n) => 'x'.repeat(n)),
  );
  const other = fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9_-]{1,10}$/), fc.stringMatching(/^[!#-+.-~]{0,10}$/))
    .map(([k, v]) => `${k}=${v}`);
  return fc.oneof(
    sessionValue.map((v) => `${name}=${v}`),
    fc.tuple(sessionValue, sessionValue).map(([a, b]) => `${name}=${a}; ${name}=${b}`),
    fc
      .tuple(fc.array(other, { maxLength: 300 }), sessionValue)
      .map(([others, v]) => [...others, `${name}=${v}`].join('; ')),
    fc.constantFrom(';;;', '=', `${name}`, `${name}==`, ` ; ${name} = x ; `),
  );
}

/** @private Any latin1 character but the ones that end a request line or a header line. */
function latin1Char(): fc.Arbitrary<string> {
  return fc
    .integer({ min: 0x01, max: 0xff })
    .filter((c) => c !== 0x0a && c !== 0x0d && c !== 0x20)
    .map((c) => String.fromCharCode(c));
}
