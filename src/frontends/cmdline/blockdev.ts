/**
 * -blockdev: its argument (JSON, or keyval with dotted keys and the implied key `driver`) is
 * checked against the release's BlockdevOptions, as QEMU checks it while reading its options;
 * the node is opened later, once the early backends exist (block.c bdrv_open for the drivers
 * hotmem knows: file and host_device read the host's file, raw and qcow2 stack on a child).
 * Nothing of the block layer beyond the open is modelled: a node only holds its name, so a
 * later -blockdev can reference it.
 */
import { HotmemError, type Warning } from '../../core/errors.js';
import { compareReleases, releaseName, type Release } from '../../core/release.js';
import type { Arch } from '../../core/arch.js';
import { strerror } from '../../host/errno.js';
import type { FileKind, HostFiles } from '../../host/files.js';
import { qmpSchemaData } from '../qmp/schema-data.js';
import { SchemaVisitor, type VisitInput } from '../qmp/schema-visit.js';
import { parseJsonOption } from './json-option.js';
import { parseKeyval } from './keyval.js';

/** A -blockdev that passed the QAPI checks: the visited BlockdevOptions. */
export interface BlockdevRequest {
  readonly options: Readonly<Record<string, unknown>>;
}

/** The options' syntax and types, as QEMU checks them while reading the command line. */
export function parseBlockdev(arg: string, release: Release, arch: Arch): BlockdevRequest {
  let input: VisitInput;
  if (arg.startsWith('{')) {
    input = { kind: 'json', value: parseJsonOption(arg) };
  } else {
    const parsed = parseKeyval(arg, 'driver');
    if (parsed.helpRequested) throw new HotmemError('blockdev.help', 'Help is not available for this option');
    input = { kind: 'keyval', value: parsed.dict };
  }
  const schema = qmpSchemaData(release, arch);
  if (!schema) {
    throw new HotmemError(
      'blockdev.no-schema',
      `hotmem checks -blockdev against the QAPI schema of a release's binary, and has none for ${releaseName(release)}`,
    );
  }
  const visitor = new SchemaVisitor(schema.schema, release);
  const argType = visitor.argType('blockdev-add');
  if (argType === undefined) throw new Error(`internal: the ${releaseName(release)} schema has no blockdev-add`);
  return { options: visitor.visitObject(argType, input) };
}

/** 6.0's block rework: messages naming node-name (785ec4b1b9) and file-posix without character devices as files (8d17adf34f). */
const reworked = (r: Release) => compareReleases(r, { major: 6, minor: 0 }) >= 0;

/** id_wellformed: a letter, then letters, digits, '-', '.' or '_'. */
const WELLFORMED = /^[A-Za-z][A-Za-z0-9._-]*$/;

/** The drivers hotmem opens; any other the release has is refused by name. */
const OPENED = ['file', 'host_device', 'raw', 'qcow2'] as const;

/** What the open of one node found: the bytes a format driver on top reads. */
interface OpenedNode {
  readonly head: Uint8Array;
}

/**
 * The block nodes of one QEMU process by node-name, as -blockdev opens them. `open` throws QEMU's
 * message for a node that fails, leaving the graph as it was.
 */
export class BlockGraph {
  readonly #nodes = new Map<string, OpenedNode>();

  constructor(
    private readonly files: HostFiles,
    private readonly release: Release,
  ) {}

  has(nodeName: string): boolean {
    return this.#nodes.has(nodeName);
  }

  /** Every node opened so far, by name: a device's drive= may name any of them. */
  get nodeNames(): ReadonlySet<string> {
    return new Set(this.#nodes.keys());
  }

  /**
   * qmp_blockdev_add: the root must be named; children are opened before their parent. Warnings
   * go to `warn` as they are printed, before any failure that follows.
   */
  open(request: BlockdevRequest, warn: (warning: Warning) => void): void {
    const options = request.options;
    if (typeof options['node-name'] !== 'string') throw new HotmemError('blockdev.root-unnamed', "'node-name' must be specified for the root node");
    const added = new Map<string, OpenedNode>();
    this.#open(options, added, warn);
    for (const [name, node] of added) this.#nodes.set(name, node);
  }

  #open(options: Readonly<Record<string, unknown>>, added: Map<string, OpenedNode>, warn: (warning: Warning) => void): OpenedNode {
    const driver = options['driver'] as string;
    if (!(OPENED as readonly string[]).includes(driver)) {
      throw new HotmemError('blockdev.driver-not-modelled', `hotmem opens -blockdev drivers ${OPENED.join(', ')} only (got '${driver}')`, { driver });
    }
    const child = driver === 'raw' || driver === 'qcow2' ? this.#child(options['file'], added, warn) : undefined;
    this.#assignName(options['node-name'], added);
    let node: OpenedNode;
    if (child) {
      if (driver === 'qcow2') checkQcow2(child.head);
      node = child;
    } else {
      node = this.#openFile(driver as 'file' | 'host_device', options['filename'] as string, options['read-only'] !== true, warn);
    }
    if (typeof options['node-name'] === 'string') added.set(options['node-name'], node);
    return node;
  }

  /** bdrv_open_child: a reference to an existing node, or the options of a new one. */
  #child(ref: unknown, added: Map<string, OpenedNode>, warn: (warning: Warning) => void): OpenedNode {
    if (typeof ref === 'string') {
      const node = this.#nodes.get(ref) ?? added.get(ref);
      if (!node) {
        throw new HotmemError(
          'blockdev.node-not-found',
          reworked(this.release) ? `Cannot find device='${ref}' nor node-name='${ref}'` : `Cannot find device=${ref} nor node_name=${ref}`,
          { ref },
        );
      }
      return node;
    }
    return this.#open(ref as Record<string, unknown>, added, warn);
  }

  /** bdrv_assign_node_name (an unnamed child gets a generated name, which cannot clash). */
  #assignName(name: unknown, added: ReadonlyMap<string, OpenedNode>): void {
    if (typeof name !== 'string') return;
    if (!WELLFORMED.test(name))
      throw new HotmemError('blockdev.node-name', reworked(this.release) ? `Invalid node-name: '${name}'` : 'Invalid node name', { name });
    if (this.#nodes.has(name) || added.has(name)) {
      const message = reworked(this.release) ? `Duplicate nodes with node-name='${name}'` : 'Duplicate node name';
      throw new HotmemError('blockdev.duplicate-node', message, { name });
    }
  }

  /** file-posix raw_open_common: open(2), then the kind of file the driver takes. */
  #openFile(driver: 'file' | 'host_device', filename: string, writable: boolean, warn: (warning: Warning) => void): OpenedNode {
    const opened = this.files.open(filename, writable);
    if (opened.kind === 'error') throw new HotmemError('blockdev.open', `Could not open '${filename}': ${strerror(opened.errno)}`, { filename });
    const refusal = fileKindRefusal(driver, filename, opened.type, this.release);
    if (refusal?.kind === 'error') throw new HotmemError('blockdev.file-kind', refusal.message, { filename });
    if (refusal?.kind === 'warning') warn({ code: 'blockdev.file-kind-deprecated', message: refusal.message });
    return { head: opened.head };
  }
}

/** What file-posix says of a file the driver does not take (5.2 only warned of devices opened as 'file'). */
function fileKindRefusal(
  driver: 'file' | 'host_device',
  filename: string,
  type: FileKind,
  release: Release,
): { readonly kind: 'error' | 'warning'; readonly message: string } | undefined {
  if (driver === 'host_device') {
    if (type === 'char' || type === 'block') return undefined;
    return {
      kind: 'error',
      message: reworked(release)
        ? `'host_device' driver requires '${filename}' to be either a character or block device`
        : "'host_device' driver expects either a character or block device",
    };
  }
  if (type === 'regular') return undefined;
  if (reworked(release)) return { kind: 'error', message: `'file' driver requires '${filename}' to be a regular file` };
  if (type === 'char' || type === 'block') {
    return { kind: 'warning', message: `Opening a ${type === 'char' ? 'character' : 'block'} device as a file using the 'file' driver is deprecated` };
  }
  return { kind: 'error', message: "A regular file was expected by the 'file' driver, but something else was given" };
}

/**
 * qcow2_do_open's first checks: the magic "QFI\xfb", then version 2 or 3 (big-endian words). The
 * rest of the header (cluster size, tables) is not read: an image with a valid start is taken.
 */
function checkQcow2(head: Uint8Array): void {
  const word = (at: number) => (head.length >= at + 4 ? new DataView(head.buffer, head.byteOffset + at, 4).getUint32(0) : undefined);
  if (word(0) !== 0x514649fb) throw new HotmemError('blockdev.qcow2-format', 'Image is not in qcow2 format');
  const version = word(4) ?? 0;
  if (version < 2 || version > 3) throw new HotmemError('blockdev.qcow2-version', `Unsupported qcow2 version ${version}`, { version });
}
