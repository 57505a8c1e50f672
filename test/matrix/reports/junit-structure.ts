/**
 * A structural check of JUnit XML that needs no validator: a small XML reader (elements,
 * attributes, text, the five predefined entities and character references; no DTDs, comments
 * or CDATA, which the report never writes), then the rules junit.xsd states plus what a schema
 * cannot: each suite's tests/failures/errors counts equal its testcases, and the root's equal
 * the sums. Returns the problems found; none means the document passed.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string, problems: string[]): string {
  return text.replace(/&([^;]*);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    const value = ENTITIES[name];
    if (value === undefined) problems.push(`unknown entity ${whole}`);
    return value ?? '';
  });
}

/** Parses the document; problems (malformed markup) are appended to `problems`. */
export function readXml(xml: string, problems: string[]): XmlElement | undefined {
  let at = 0;
  const declaration = /^<\?xml[^?]*\?>\s*/.exec(xml);
  if (!declaration || !/encoding="UTF-8"/.test(declaration[0])) problems.push('no <?xml ... encoding="UTF-8"?> declaration');
  at = declaration?.[0].length ?? 0;
  if (/[<&]/.test(xml.replace(/<[^>]*>/g, '').replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, ''))) problems.push('a bare < or & in text');
  const element = (): XmlElement | undefined => {
    const open = /^<([A-Za-z][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>/.exec(xml.slice(at));
    if (!open) {
      problems.push(`expected an element at offset ${at}`);
      return undefined;
    }
    at += open[0].length;
    const attributes = new Map<string, string>();
    for (const m of open[2]!.matchAll(/([\w.-]+)="([^"]*)"/g)) {
      if (attributes.has(m[1]!)) problems.push(`<${String(open[1])}> has the attribute ${String(m[1])} twice`);
      attributes.set(m[1]!, decode(m[2]!, problems));
    }
    const children: XmlElement[] = [];
    let text = '';
    if (open[3] === '') {
      for (;;) {
        const rest = xml.slice(at);
        if (rest.startsWith(`</${String(open[1])}>`)) {
          at += open[1]!.length + 3;
          break;
        }
        if (rest.startsWith('</') || rest === '') {
          problems.push(`<${String(open[1])}> is not closed where expected (offset ${at})`);
          break;
        }
        if (rest.startsWith('<')) {
          const child = element();
          if (!child) break;
          children.push(child);
        } else {
          const end = rest.indexOf('<');
          text += decode(end < 0 ? rest : rest.slice(0, end), problems);
          at += end < 0 ? rest.length : end;
        }
      }
    }
    return { name: open[1]!, attributes, children, text };
  };
  const root = element();
  if (xml.slice(at).trim() !== '') problems.push('content after the root element');
  return root;
}

const COUNT = /^\d+$/;
const SECONDS = /^\d+(\.\d+)?$/;

function checkAttributes(e: XmlElement, required: readonly string[], counts: readonly string[], problems: string[]): void {
  for (const a of required) if (!e.attributes.has(a)) problems.push(`<${e.name}> lacks ${a}`);
  for (const a of counts) {
    const v = e.attributes.get(a);
    if (v !== undefined && !COUNT.test(v)) problems.push(`<${e.name} ${a}="${v}"> is not a count`);
  }
  const time = e.attributes.get('time');
  if (time !== undefined && !SECONDS.test(time)) problems.push(`<${e.name} time="${time}"> is not seconds`);
}

export function junitProblems(xml: string): string[] {
  const problems: string[] = [];
  const root = readXml(xml, problems);
  if (!root) return problems;
  if (root.name !== 'testsuites') problems.push(`the root is <${root.name}>, not <testsuites>`);
  checkAttributes(root, [], ['tests', 'failures', 'errors', 'skipped'], problems);
  const totals = { tests: 0, failures: 0, errors: 0 };
  for (const suite of root.children) {
    if (suite.name !== 'testsuite') problems.push(`<testsuites> holds <${suite.name}>`);
    checkAttributes(suite, ['name', 'tests'], ['tests', 'failures', 'errors', 'skipped'], problems);
    const cases = suite.children.filter((c) => c.name === 'testcase');
    for (const other of suite.children)
      if (!['testcase', 'properties', 'system-out', 'system-err'].includes(other.name)) problems.push(`<testsuite> holds <${other.name}>`);
    let failures = 0;
    let errors = 0;
    for (const c of cases) {
      checkAttributes(c, ['name', 'classname'], [], problems);
      const outcomes = c.children.filter((o) => ['failure', 'error', 'skipped'].includes(o.name));
      if (outcomes.length > 1) problems.push(`<testcase name="${String(c.attributes.get('name'))}"> has ${outcomes.length} outcomes`);
      for (const o of c.children)
        if (!['failure', 'error', 'skipped', 'system-out', 'system-err'].includes(o.name)) problems.push(`<testcase> holds <${o.name}>`);
      if (outcomes[0]?.name === 'failure') failures++;
      if (outcomes[0]?.name === 'error') errors++;
    }
    const expect = (attr: string, n: number) => {
      if (suite.attributes.get(attr) !== String(n))
        problems.push(`<testsuite name="${String(suite.attributes.get('name'))}"> says ${attr}="${String(suite.attributes.get(attr))}" but has ${n}`);
    };
    expect('tests', cases.length);
    expect('failures', failures);
    expect('errors', errors);
    totals.tests += cases.length;
    totals.failures += failures;
    totals.errors += errors;
  }
  for (const [attr, n] of Object.entries(totals))
    if (root.attributes.has(attr) && root.attributes.get(attr) !== String(n))
      problems.push(`<testsuites> says ${attr}="${String(root.attributes.get(attr))}" but its suites have ${n}`);
  return problems;
}
