/**
 * JSON parsing that remembers the line of every value, so a problem found later (by path, e.g.
 * `['terms', 2, 'end']`) can be reported as `file:line`.
 */

export type JsonPath = readonly (string | number)[];

export type JsonParse =
  { ok: true; value: unknown; lineOf: (path: JsonPath) => number } | { ok: false; line: number; message: string };

class JsonSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/** How deep lists and objects may nest in a JSON file we read. */
export const MAX_JSON_DEPTH = 100;

/** Parses JSON text; on a syntax error reports the line and what was expected. */
export function parseJsonWithLines(text: string): JsonParse {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const key = (path: JsonPath): string => JSON.stringify(path);

  const ws = (): void => {
    for (;;) {
      const c = src[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
      i++;
    }
  };
  const fail = (message: string): never => {
    throw new JsonSyntaxError(line, message);
  };
  const describe = (): string => (i >= src.length ? 'the end of the file' : JSON.stringify(src[i]));

  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    for (;;) {
      const c = src[i];
      if (c === undefined || c === '\n') fail('a string is not closed (missing ")');
      if (c === '\\') i += 2;
      else if (c === '"') {
        i++;
        break;
      } else i++;
    }
    try {
      return JSON.parse(src.slice(start, i)) as string;
    } catch {
      return fail('a string has an invalid escape sequence');
    }
  };

  const parseValue = (path: (string | number)[]): unknown => {
    // Nesting is bounded: 50,000 `[` would otherwise overflow the stack (and no file we read nests past a few levels).
    if (path.length > MAX_JSON_DEPTH) fail(`the JSON nests lists and objects deeper than ${MAX_JSON_DEPTH} levels`);
    ws();
    lines.set(key(path), line);
    const c = src[i];
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (src[i] === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        if (src[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        const k = parseString();
        ws();
        if (src[i] !== ':') fail(`expected ":" after "${k}", found ${describe()}`);
        i++;
        obj[k] = parseValue([...path, k]);
        ws();
        if (src[i] === ',') {
          i++;
          continue;
        }
        if (src[i] === '}') {
          i++;
          return obj;
        }
        fail(`expected "," or "}" in an object, found ${describe()}`);
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (src[i] === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue([...path, arr.length]));
        ws();
        if (src[i] === ',') {
          i++;
          continue;
        }
        if (src[i] === ']') {
          i++;
          return arr;
        }
        fail(`expected "," or "]" in a list, found ${describe()}`);
      }
    }
    if (c === '"') return parseString();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(src.slice(i, i + 64));
    if (!m) return fail(`expected a value, found ${describe()}`);
    i += m[0].length;
    return JSON.parse(m[0]) as unknown;
  };

  try {
    const value = parseValue([]);
    ws();
    if (i < src.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return {
      ok: true,
      value,
      lineOf: (path) => {
        for (let n = path.length; n >= 0; n--) {
          const l = lines.get(key(path.slice(0, n)));
          if (l !== undefined) return l;
        }
        return 1;
      },
    };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { ok: false, line: e.line, message: e.message };
    throw e;
  }
}
