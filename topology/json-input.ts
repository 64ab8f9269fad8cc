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
  return repeatsAKey(text) ? undefined : data;
}

const STRING = /"(?:[^"\\]|\\.)*"/y;
const BLANK = /[ \t\r\n]*/y;

/** Whether an object of this (valid) JSON text has the same key twice. */
function repeatsAKey(text: string): boolean {
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
      const key = literal.includes('\\') ? (JSON.parse(literal) as string) : literal;
      if (keys.has(key)) return true;
      keys.add(key);
    }
  }
  return false;
}
