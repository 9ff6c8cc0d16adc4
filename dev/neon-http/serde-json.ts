// Neon's proxy reads the body with serde_json, which refuses strings that JSON.parse takes without a word:
// a lone UTF-16 surrogate escape ("\ud800" — JSON.parse makes it a lone surrogate, and PostgreSQL's client
// then stores U+FFFD), raw bytes that are not UTF-8 (Buffer#toString quietly makes them U+FFFD too) and raw
// control characters. This finds the first such string and words the refusal as serde_json 1.0.125 does
// (src/read.rs: parse_str_bytes, parse_unicode_escape; src/error.rs: the messages, "at line L column C"
// counted in bytes as SliceRead::position_of_index counts them).
import { isUtf8 } from 'node:buffer';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const U = 0x75;

function hex4(body: Buffer, at: number): number | null {
  if (at + 4 > body.length) return null;
  const text = body.toString('latin1', at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(text) ? Number.parseInt(text, 16) : null;
}

/** serde_json's "{reason} at line L column C", where `index` is how many bytes it had consumed. */
function at(body: Buffer, reason: string, index: number): string {
  const startOfLine = body.lastIndexOf(0x0a, index - 1) + 1;
  let line = 1;
  for (let i = body.indexOf(0x0a); i !== -1 && i < startOfLine; i = body.indexOf(0x0a, i + 1)) line += 1;
  return `${reason} at line ${line} column ${index - startOfLine}`;
}

/**
 * The error serde_json reports for the first string of `body` it refuses, or null when it refuses none.
 * Other syntax errors are left to JSON.parse (they are refused either way).
 */
export function serdeJsonStringError(body: Buffer): string | null {
  let i = 0;
  let stringStart = -1;
  while (i < body.length) {
    const byte = body[i]!;
    if (stringStart === -1) {
      if (byte === QUOTE) stringStart = i + 1;
      i += 1;
      continue;
    }
    if (byte === QUOTE) {
      if (!isUtf8(body.subarray(stringStart, i))) return at(body, 'invalid unicode code point', i + 1);
      stringStart = -1;
      i += 1;
      continue;
    }
    if (byte < 0x20) return at(body, 'control character (\\u0000-\\u001F) found while parsing a string', i + 1);
    if (byte !== BACKSLASH) {
      i += 1;
      continue;
    }
    if (body[i + 1] !== U) {
      i += 2;
      continue;
    }
    const first = hex4(body, i + 2);
    if (first === null) return null;
    let next = i + 6;
    if (first >= 0xdc00 && first <= 0xdfff) return at(body, 'lone leading surrogate in hex escape', next);
    if (first >= 0xd800 && first <= 0xdbff) {
      // A leading surrogate must be followed by `\u` and a trailing one; serde_json consumes the byte it
      // finds instead before it complains.
      if (next >= body.length) return null;
      if (body[next] !== BACKSLASH) return at(body, 'unexpected end of hex escape', next + 1);
      if (next + 1 >= body.length) return null;
      if (body[next + 1] !== U) return at(body, 'unexpected end of hex escape', next + 2);
      const second = hex4(body, next + 2);
      if (second === null) return null;
      next += 6;
      if (second < 0xdc00 || second > 0xdfff) return at(body, 'lone leading surrogate in hex escape', next);
    }
    i = next;
  }
  return null;
}
