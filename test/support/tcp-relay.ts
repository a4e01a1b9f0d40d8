import * as net from 'node:net';

/**
 * A TCP relay on 127.0.0.1:<port chosen now> to a target named later (the passkey specs, in the API and the page): WebAuthn wants the page at http://localhost:<port>, and the server must know that origin
 * (WEBAUTHN_ORIGINS) before it starts, while TestApp learns its own port only then.
 */
export async function tcpRelay(): Promise<{ port: number; to: (port: number) => void; close: () => Promise<void> }> {
  let target = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    to: (port) => void (target = port),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
