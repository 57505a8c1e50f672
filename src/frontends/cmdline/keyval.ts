/**
 * util/keyval.c's keyval_parse: `key=value,...` into a tree of dictionaries, a dotted key
 * (`file.filename=x`) naming a member of a nested dictionary. Every value is a string, which the
 * QObject input visitor's keyval mode parses by the member's type. A later key replaces an
 * earlier one; the first element may leave out the implied key.
 */
import { HotmemError } from '../../core/errors.js';
import { splitOptions } from '../../core/parse/options.js';
import type { KeyvalDict } from '../qmp/schema-visit.js';

const FRAGMENT = /^[A-Za-z0-9_-]+$/;

type MutableDict = { [key: string]: string | MutableDict };

export interface Keyval {
  readonly dict: KeyvalDict;
  readonly helpRequested: boolean;
}

export function parseKeyval(text: string, impliedKey: string): Keyval {
  const root: MutableDict = {};
  let helpRequested = false;
  splitOptions(text).forEach((part, index) => {
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (part === 'help' || part === '?') {
        helpRequested = true;
        return;
      }
      if (index === 0) {
        root[impliedKey] = part;
        return;
      }
      throw new HotmemError('keyval.expected-equals', `Expected '=' after parameter '${part}'`, { key: part });
    }
    const key = part.slice(0, eq);
    const fragments = key.split('.');
    if (!fragments.every((f) => FRAGMENT.test(f))) throw new HotmemError('keyval.invalid-key', `Invalid parameter '${key}'`, { key });
    let dict = root;
    fragments.slice(0, -1).forEach((fragment, i) => {
      const next = dict[fragment] ?? {};
      if (typeof next === 'string') throw inconsistent(fragments.slice(0, i + 1).join('.'));
      dict[fragment] = next;
      dict = next;
    });
    const last = fragments.at(-1)!;
    if (typeof dict[last] === 'object') throw inconsistent(key);
    dict[last] = part.slice(eq + 1);
  });
  return { dict: root, helpRequested };
}

const inconsistent = (prefix: string) => new HotmemError('keyval.inconsistent', `Parameters '${prefix}.*' used inconsistently`, { prefix });
