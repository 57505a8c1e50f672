/**
 * Migration URIs as qmp_migrate and qemu_start_incoming_migration read them. QEMU accepts tcp:,
 * unix:, vsock:, rdma:, exec: and fd:; hotmem's processes talk over unix and tcp sockets, and
 * refuse the other (valid) protocols by name rather than as unknown ones.
 */
import { compareReleases, type Release } from '../../core/release.js';
import type { AddressInfo } from 'node:net';
import { migrationFrontendErrors } from './errors.js';

export type SocketAddress = { readonly type: 'unix'; readonly path: string } | { readonly type: 'inet'; readonly host: string; readonly port: string };

const NOT_MODELLED = ['vsock:', 'rdma:', 'exec:', 'fd:'] as const;

/** inet_parse: `host:port` or `[v6]:port`; the port is required, the host may be empty (any). */
function inetAddress(text: string): SocketAddress {
  const match = /^(?:\[([^\]]*)\]|([^:[\]]*)):([^,]+)$/.exec(text);
  if (!match) throw migrationFrontendErrors.error('migration-uri.inet-address', { address: text });
  return { type: 'inet', host: match[1] ?? match[2] ?? '', port: match[3]! };
}

function socketAddress(uri: string): SocketAddress | undefined {
  if (uri.startsWith('unix:')) {
    const path = uri.slice('unix:'.length);
    if (path === '') throw migrationFrontendErrors.error('migration-uri.unix-address');
    return { type: 'unix', path };
  }
  if (uri.startsWith('tcp:')) return inetAddress(uri.slice('tcp:'.length));
  if (NOT_MODELLED.some((p) => uri.startsWith(p))) throw migrationFrontendErrors.error('migration-uri.not-modelled', { uri });
  return undefined;
}

/**
 * From 8.2 both directions parse a URI with migrate_uri_parse, before the migration changes any
 * state, and `migrate`'s uri may give way to `channels`.
 */
export const parsesUriFirst = (release: Release): boolean => compareReleases(release, { major: 8, minor: 2 }) >= 0;

/** The address `migrate` connects to. */
export function outgoingAddress(uri: string, release: Release): SocketAddress {
  const address = socketAddress(uri);
  if (address) return address;
  if (parsesUriFirst(release)) throw migrationFrontendErrors.error('migration-uri.incoming-protocol', { uri });
  throw migrationFrontendErrors.error('migration-uri.outgoing-protocol');
}

/** The address `-incoming` or `migrate-incoming` listens on. */
export function incomingAddress(uri: string): SocketAddress {
  const address = socketAddress(uri);
  if (!address) throw migrationFrontendErrors.error('migration-uri.incoming-protocol', { uri });
  return address;
}

/** How the address reads in messages (the connect error names the path or host:port). */
export function addressTarget(address: SocketAddress): string {
  return address.type === 'unix' ? address.path : `${address.host}:${address.port}`;
}

/**
 * query-migrate's socket-address entry (qapi/sockets.json SocketAddress): for tcp, the address
 * actually bound, with its family, as QEMU lists its listeners.
 */
export function socketAddressInfo(address: SocketAddress, bound?: AddressInfo | string | null): Record<string, string | boolean> {
  if (address.type === 'unix') return { path: address.path, type: 'unix' };
  if (!bound || typeof bound === 'string') return { host: address.host, port: address.port, type: 'inet' };
  return { port: String(bound.port), [bound.family === 'IPv6' ? 'ipv6' : 'ipv4']: true, host: bound.address, type: 'inet' };
}
