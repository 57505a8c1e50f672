/**
 * QMP's wire format: QEMU's JSON writer puts ": " after keys and ", " between members, each
 * message ends in "\r\n" (monitor_puts turns "\n" into "\r\n"), and input is a stream of JSON
 * values that need not be one per line.
 */

/** qobject_to_json, or its pretty form (4-space indents) for -qmp-pretty. */
export function qmpJson(value: unknown, pretty = false, indent = ''): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}    `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((v) => qmpJson(v, pretty, inner));
    return pretty ? `[\n${items.map((i) => `${inner}${i}`).join(',\n')}\n${indent}]` : `[${items.join(', ')}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  const members = entries.map(([k, v]) => `${JSON.stringify(k)}: ${qmpJson(v, pretty, inner)}`);
  return pretty ? `{\n${members.map((m) => `${inner}${m}`).join(',\n')}\n${indent}}` : `{${members.join(', ')}}`;
}

export const qmpLine = (value: unknown, pretty = false): string => `${qmpJson(value, pretty)}\r\n`;

/**
 * Splits a character stream into complete top-level JSON texts, keeping partial input for the
 * next chunk (QEMU's json-streamer counts brackets outside strings the same way).
 */
export class JsonStreamSplitter {
  /** The incomplete tail of the input; rescanned whole on each push (QMP messages are small). */
  #pending = '';

  push(chunk: string): string[] {
    const text = this.#pending + chunk;
    const complete: string[] = [];
    let depth = 0;
    let inString = false;
    let escaped = false;
    let start = -1;
    let consumed = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === '\\') escaped = true;
        else if (c === '"') {
          inString = false;
          if (depth === 0) {
            complete.push(text.slice(start, i + 1));
            start = -1;
            consumed = i + 1;
          }
        }
        continue;
      }
      if (depth === 0 && start < 0 && /\s/.test(c)) {
        consumed = i + 1;
        continue;
      }
      if (start < 0) start = i;
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') depth--;
      // A top-level text ends when its brackets close, or at white space for a bare scalar.
      const scalarEnds = depth === 0 && c !== '"' && c !== '}' && c !== ']' && (i + 1 === text.length ? false : /\s/.test(text[i + 1]!));
      if ((depth <= 0 && (c === '}' || c === ']')) || scalarEnds) {
        complete.push(text.slice(start, i + 1));
        depth = 0;
        start = -1;
        consumed = i + 1;
      }
    }
    this.#pending = text.slice(consumed);
    return complete;
  }
}
