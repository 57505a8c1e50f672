import assert from 'node:assert/strict';
import { incomingAddress, outgoingAddress, socketAddressInfo } from '../../../src/frontends/migration/uri.js';

describe('frontends/migration/uri', () => {
  // [uri, outgoing (migrate, 7.2), incoming (-incoming / migrate-incoming)]: an address, or QEMU's message.
  const CASES: ReadonlyArray<readonly [string, unknown, unknown]> = [
    ['unix:/tmp/m.sock', { type: 'unix', path: '/tmp/m.sock' }, { type: 'unix', path: '/tmp/m.sock' }],
    ['tcp:localhost:4444', { type: 'inet', host: 'localhost', port: '4444' }, { type: 'inet', host: 'localhost', port: '4444' }],
    ['tcp::4444', { type: 'inet', host: '', port: '4444' }, { type: 'inet', host: '', port: '4444' }],
    ['tcp:[::1]:4444', { type: 'inet', host: '::1', port: '4444' }, { type: 'inet', host: '::1', port: '4444' }],
    ['unix:', 'invalid Unix socket address', 'invalid Unix socket address'],
    ['tcp:localhost', "error parsing address 'localhost'", "error parsing address 'localhost'"],
    ['foo:bar', "Parameter 'uri' expects a valid migration protocol", 'unknown migration protocol: foo:bar'],
    ['', "Parameter 'uri' expects a valid migration protocol", 'unknown migration protocol: '],
    [
      'exec:cat',
      "hotmem migrates between hotmem processes over unix: and tcp: sockets only (got 'exec:cat')",
      "hotmem migrates between hotmem processes over unix: and tcp: sockets only (got 'exec:cat')",
    ],
    [
      'fd:3',
      "hotmem migrates between hotmem processes over unix: and tcp: sockets only (got 'fd:3')",
      "hotmem migrates between hotmem processes over unix: and tcp: sockets only (got 'fd:3')",
    ],
  ];
  const attempt = (f: () => unknown) => {
    try {
      return f();
    } catch (e) {
      return (e as Error).message;
    }
  };
  it('from 8.2 migrate parses its URI as -incoming does (migrate_uri_parse)', () => {
    assert.equal(
      attempt(() => outgoingAddress('foo:bar', { major: 8, minor: 2 })),
      'unknown migration protocol: foo:bar',
    );
    assert.equal(
      attempt(() => outgoingAddress('foo:bar', { major: 8, minor: 1 })),
      "Parameter 'uri' expects a valid migration protocol",
    );
  });
  for (const [uri, outgoing, incoming] of CASES) {
    it(`'${uri}'`, () => {
      assert.deepEqual(
        attempt(() => outgoingAddress(uri, { major: 7, minor: 2 })),
        outgoing,
      );
      assert.deepEqual(
        attempt(() => incomingAddress(uri)),
        incoming,
      );
    });
  }

  it("query-migrate names the listening address as QEMU's SocketAddress does", () => {
    assert.deepEqual(socketAddressInfo({ type: 'unix', path: '/s' }), { path: '/s', type: 'unix' });
    const inet = { type: 'inet', host: '127.0.0.1', port: '0' } as const;
    assert.deepEqual(socketAddressInfo(inet, { address: '127.0.0.1', family: 'IPv4', port: 4447 }), {
      port: '4447',
      ipv4: true,
      host: '127.0.0.1',
      type: 'inet',
    });
    assert.deepEqual(socketAddressInfo(inet, { address: '::1', family: 'IPv6', port: 4447 }), { port: '4447', ipv6: true, host: '::1', type: 'inet' });
  });
});
