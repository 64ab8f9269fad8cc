/**
 * A `.json` input parsed with JSON.parse: on a 2000-VM topology the YAML parser (which knows lines) costs
 * about ten times as much. Undefined when the text is not strict JSON or an object repeats a key (JSON.parse
 * would keep the last one silently, YAML refuses it): the caller then takes the YAML path, which names the line.
 */
export function parseJsonInput(file: string, text: string): unknown {
  if (!file.endsWith('.json')) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  return repeatedKey(text) === undefined ? data : undefined;
}

const STRING = /"(?:[^"\\]|\\.)*"/y;
const BLANK = /[ \t\r\n]*/y;

/** The first key an object of this (valid) JSON text has twice, if any. */
export function repeatedKey(text: string): string | undefined {
  const keysOfOpenObjects: (Set<string> | undefined)[] = []; // undefined for an open array
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') keysOfOpenObjects.push(new Set());
    else if (c === '[') keysOfOpenObjects.push(undefined);
    else if (c === '}' || c === ']') keysOfOpenObjects.pop();
    else if (c === '"') {
      STRING.lastIndex = i;
      const literal = STRING.exec(text)?.[0] ?? '';
      i += literal.length - 1;
      BLANK.lastIndex = i + 1;
      BLANK.exec(text);
      const keys = keysOfOpenObjects[keysOfOpenObjects.length - 1];
      if (text[BLANK.lastIndex] !== ':' || !keys) continue;
      const key = literal.includes('\\') ? (JSON.parse(literal) as string) : literal.slice(1, -1);
      if (keys.has(key)) return key;
      keys.add(key);
    }
  }
  return undefined;
}
