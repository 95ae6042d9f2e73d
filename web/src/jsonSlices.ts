// JSON.parse in steps (see slices.ts): the same value, or the same kind of
// error (SyntaxError), for any text, but a big object or array is read a
// batch of members at a time, so that a 15 MB snapshot or the list of
// 100,000 devices does not hold the page for one long task (in Chromium at
// 100,000 devices each took ~135 ms in one JSON.parse, garbage collection
// included).
//
// How: a text of up to `wholeChars` goes to JSON.parse whole. In a bigger
// object or array, one loop counts brackets (skipping strings) to find the
// commas between its members; at the first such comma past `batchChars`
// the members so far are cut off as a batch, parsed by JSON.parse as
// "{...}" or "[...]" and copied into the result, and the loop yields. A
// member that is itself a container bigger than a batch (the "snapshot" of
// {"snapshot": {...}}) is read the same way, one level down. JSON.parse
// checks everything inside a batch; the loop checks the rest (the commas
// it cut at, a member read on its own, the text around the outermost
// value). Walking every character costs ~40 ms per 15 MB on top of
// JSON.parse's own ~130 ms (Node, the dashboard's snapshot), so after a cut
// the next one is guessed, and only a wrong guess makes the loop walk.
import type { Steps } from './slices';

// A batch of 256 KB takes JSON.parse ~2 ms. Up to 2 MB (~17 ms, a delta of
// ~15,000 devices; the bench's deltas at 100,000 devices are 0.5 to 1.5 MB)
// a text goes whole: batches cost copying and garbage of their own (each
// member is copied into the result), which pays only for texts too big for
// one task.
const defaultBatchChars = 256 * 1024;
const defaultWholeChars = 2 * 1024 * 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; // JSON's whitespace, no other
}

function fail(at: number): never {
  throw new SyntaxError(`Unexpected token in JSON at position ${at}`);
}

export function* parseJsonSteps(text: string, batchChars = defaultBatchChars, wholeChars = defaultWholeChars): Steps<unknown> {
  if (text.length <= Math.max(batchChars, wholeChars)) return JSON.parse(text);
  const start = skipSpace(text, 0);
  const c = text.charCodeAt(start);
  if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return JSON.parse(text); // a long string or number: one piece anyway
  const [value, end] = yield* container(text, start, batchChars);
  if (skipSpace(text, end) !== text.length) fail(end);
  return value;
}

function skipSpace(text: string, at: number): number {
  while (at < text.length && isSpace(text.charCodeAt(at))) at += 1;
  return at;
}

function onlySpace(text: string, from: number, to: number): boolean {
  return skipSpace(text, from) >= to;
}

// The object or array opening at `at`, and where it ends (past its bracket).
function* container(text: string, at: number, batchChars: number): Generator<void, [unknown, number], void> {
  const isObject = text.charCodeAt(at) === OPEN_BRACE;
  const result: Record<string, unknown> | unknown[] = isObject ? {} : [];
  // Parses text[from, to), members and the commas between them, into result.
  const batch = (from: number, to: number) => {
    const part = JSON.parse((isObject ? '{' : '[') + text.slice(from, to) + (isObject ? '}' : ']'));
    if (isObject) for (const key of Object.keys(part)) put(result as Record<string, unknown>, key, part[key]);
    else for (const item of part as unknown[]) (result as unknown[]).push(item);
  };
  let batchStart = at + 1; // where the members not parsed yet begin
  let memberStart = at + 1; // where the current member begins (past the comma)
  let colon = -1; // the current member's colon (objects)
  let valueStart = -1; // where the current member's value begins, when a container
  let depth = 0; // 1: among this container's members
  const n = text.length;
  for (let i = at; i < n; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i += 1;
      for (;;) {
        if (i >= n) fail(n);
        const d = text.charCodeAt(i);
        if (d === QUOTE) break;
        i += d === BACKSLASH ? 2 : 1;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      depth += 1;
      if (depth === 2) valueStart = i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth -= 1;
      if (depth === 0) {
        if (c !== (isObject ? CLOSE_BRACE : CLOSE_BRACKET)) fail(i);
        // The last batch: it may be empty only when the container is (no trailing comma).
        if (!onlySpace(text, batchStart, i) || batchStart === at + 1) batch(batchStart, i);
        else fail(i); // a comma we cut at, then nothing
        return [result, i + 1];
      }
    } else if (depth === 1) {
      if (c === COMMA) {
        memberStart = i + 1;
        colon = -1;
        if (i - batchStart >= batchChars) {
          if (onlySpace(text, batchStart, i)) fail(i);
          batch(batchStart, i);
          batchStart = i + 1;
          yield;
          // Members are usually alike: guess the next cut by the text around
          // this one ('},"' in a snapshot, '},{' in the device list), and let
          // JSON.parse tell whether the guess holds (it fails unless the
          // batch is whole members). The first miss ends the guessing here.
          let around = i + 2 <= n ? text.slice(i - 1, i + 2) : null;
          while (around !== null) {
            const comma = text.indexOf(around, batchStart + batchChars - 1) + 1;
            if (comma <= 0 || onlySpace(text, batchStart, comma)) break;
            try {
              batch(batchStart, comma);
            } catch {
              around = null;
              break;
            }
            batchStart = comma + 1;
            yield;
          }
          i = memberStart = batchStart; // walking on from here
          i -= 1;
        }
      } else if (c === COLON && colon < 0) colon = i;
      continue;
    } else if (c !== COMMA) continue;
    // Inside a member's value that is a container bigger than a batch: read
    // it on its own, after the members before it.
    if (depth >= 2 && i - valueStart > batchChars) {
      if (memberStart > batchStart) {
        if (onlySpace(text, batchStart, memberStart - 1)) fail(batchStart);
        batch(batchStart, memberStart - 1); // up to the comma before this member
      }
      let key = '';
      if (isObject) {
        if (colon < 0 || !onlySpace(text, colon + 1, valueStart)) fail(valueStart);
        const parsed: unknown = JSON.parse(text.slice(memberStart, colon));
        if (typeof parsed !== 'string') fail(memberStart);
        key = parsed;
      } else if (!onlySpace(text, memberStart, valueStart)) fail(memberStart);
      yield;
      const [value, end] = yield* container(text, valueStart, batchChars);
      if (isObject) put(result as Record<string, unknown>, key, value);
      else (result as unknown[]).push(value);
      // Then a comma and more members, or the end.
      const next = skipSpace(text, end);
      const d = text.charCodeAt(next);
      depth = 1;
      colon = -1;
      if (d === COMMA) {
        batchStart = memberStart = next + 1;
        i = next;
        if (onlySpace(text, batchStart, n) || text.charCodeAt(skipSpace(text, batchStart)) === (isObject ? CLOSE_BRACE : CLOSE_BRACKET)) fail(next);
        continue;
      }
      if (d !== (isObject ? CLOSE_BRACE : CLOSE_BRACKET)) fail(next);
      return [result, next + 1];
    }
  }
  return fail(n);
}

// result[key] = value, as JSON.parse would set it: "__proto__" becomes an
// own property, not the object's prototype.
function put(result: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(result, key, { value, writable: true, enumerable: true, configurable: true });
  else result[key] = value;
}
