/**
 * Finds where a dotted field ("dataset.kind") sits in JSON text, so a config
 * error can be underlined at its key. A small scanner instead of a parser
 * dependency: it only needs key positions, and must survive broken text.
 */

export interface TextRange {
  start: number;
  end: number;
}

type Token = { kind: 'punct' | 'string' | 'literal'; start: number; end: number; text: string };

function* tokens(text: string): Generator<Token> {
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) { i++; continue; }
    if ('{}[]:,'.includes(ch)) { yield { kind: 'punct', start: i, end: i + 1, text: ch }; i++; continue; }
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const raw = text.slice(i, Math.min(j + 1, text.length));
      let value = raw.slice(1, -1);
      try { value = JSON.parse(raw); } catch { /* keep the raw text */ }
      yield { kind: 'string', start: i, end: Math.min(j + 1, text.length), text: value };
      i = j + 1;
      continue;
    }
    let j = i;
    while (j < text.length && !/[\s{}[\]:,"]/.test(text[j])) j++;
    yield { kind: 'literal', start: i, end: Math.max(j, i + 1), text: text.slice(i, j) };
    i = Math.max(j, i + 1);
  }
}

/**
 * The key of the deepest existing part of `field`, or undefined when not even
 * the first part is there (a missing top-level field).
 */
export function locateField(text: string, field: string): TextRange | undefined {
  const want = field.split('.').filter(Boolean);
  const stack: { isObject: boolean; key?: string; keyRange?: TextRange }[] = [];
  let pendingKey: Token | undefined;
  let expectKey = false;
  let best: { depth: number; range: TextRange } | undefined;
  const pathMatches = (depth: number) => stack.slice(1, depth).every((f, i) => f.key === want[i]);

  for (const t of tokens(text)) {
    const top = stack[stack.length - 1];
    if (t.text === '{' && t.kind === 'punct') {
      stack.push({ isObject: true, key: pendingKey?.text, keyRange: pendingKey });
      pendingKey = undefined;
      expectKey = true;
    } else if (t.text === '[' && t.kind === 'punct') {
      stack.push({ isObject: false, key: pendingKey?.text });
      pendingKey = undefined;
    } else if ((t.text === '}' || t.text === ']') && t.kind === 'punct') {
      stack.pop();
      pendingKey = undefined;
    } else if (t.text === ',' && t.kind === 'punct') {
      expectKey = !!top?.isObject;
      pendingKey = undefined;
    } else if (t.kind === 'string' && expectKey && top?.isObject) {
      expectKey = false;
      const depth = stack.length;
      if (depth <= want.length && want[depth - 1] === t.text && pathMatches(depth) && (!best || depth > best.depth)) {
        best = { depth, range: { start: t.start, end: t.end } };
      }
      pendingKey = t;
    } else if (t.text !== ':') {
      pendingKey = undefined;
    }
  }
  return best?.range;
}
