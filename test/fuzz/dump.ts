/**
 * A canonical dump of what a monitor client can see of a machine: the read-only QMP queries and
 * every readable QOM property of the parts of the tree QMP commands create, delete and set (the
 * machine's own properties, user-created devices and objects), as one string. Equal dumps mean
 * no such query could tell the machines apart: what "a rejected command changes nothing" means.
 */
import { QMP_COMMANDS } from '../../src/frontends/qmp/commands/index.js';
import { qmpJson } from '../../src/frontends/qmp/json.js';
import type { QmpContext } from '../../src/frontends/qmp/session.js';
import type { QomObject } from '../../src/qom/object.js';

/** The queries that take no arguments: each one's answer, or its error, is part of the dump. */
const QUERIES = QMP_COMMANDS.filter((c) => /^(x-)?query-/.test(c.name) && c.args.every((a) => a.optional) && c.name !== 'query-machines');

function answer(run: () => unknown): unknown {
  try {
    return run();
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** Where commands add, delete and set: the machine itself (not its board devices) and what users create. */
const ROOTS: ReadonlyArray<readonly [string, boolean]> = [
  ['/machine', false],
  ['/machine/peripheral', true],
  ['/machine/peripheral-anon', true],
  ['/objects', true],
];

function qomTree(ctx: QmpContext, path: string, obj: QomObject, out: Record<string, unknown>, recurse: boolean): void {
  const props = ctx.machine.model.qomList(obj) as ReadonlyArray<{ name: string; type: string }>;
  const values: Record<string, unknown> = {};
  for (const p of props) {
    if (p.type.startsWith('child<')) {
      const child = obj.child(p.name);
      if (child && recurse) qomTree(ctx, `${path}/${p.name}`, child, out, true);
      continue;
    }
    values[p.name] = answer(() => obj.get(p.name));
  }
  out[path] = values;
}

export function canonicalDump(ctx: QmpContext): string {
  const queries: Record<string, unknown> = {};
  for (const q of QUERIES) {
    if (q.available && !q.available(ctx)) continue;
    queries[q.name] = answer(() => q.run(ctx, {}));
  }
  const tree: Record<string, unknown> = {};
  for (const [path, recurse] of ROOTS) {
    const root = ctx.machine.model.resolvePath(path);
    if (root) qomTree(ctx, path, root, tree, recurse);
  }
  return qmpJson({ queries, tree, runState: ctx.machine.runState, autostart: ctx.machine.autostart });
}
