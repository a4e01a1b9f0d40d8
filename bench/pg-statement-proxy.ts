/**
 * A TCP proxy in front of PostgreSQL that counts the statements its clients
 * send, read off the wire protocol: a simple-protocol Query ('Q') or an
 * extended-protocol Execute ('E') is one statement. Both servers of the
 * nested-page bench reach the database through it, so "statements per request"
 * is measured the same way for each, whatever driver or ORM sends them.
 * Forwarding costs a copy of each packet; counting reads a 5-byte header per message.
 */
import * as net from 'node:net';

export interface StatementProxy {
  /** host:port to put in the servers' DATABASE_URL. */
  url(databaseUrl: string): string;
  /** Statements sent since the start. */
  readonly statements: number;
  close(): Promise<void>;
}

export async function startStatementProxy(target: { host: string; port: number }): Promise<StatementProxy> {
  let statements = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    // The client's byte stream: the untyped start-up packet(s) first (length-prefixed, SSLRequest or
    // StartupMessage), then typed messages (1 byte type + int32 length including itself).
    let started = false;
    let pending = Buffer.alloc(0);
    let skip = 0; // bytes of the current message still to pass
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      let buf = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      for (;;) {
        if (skip > 0) {
          const n = Math.min(skip, buf.length - at);
          skip -= n;
          at += n;
          if (skip > 0) break;
        }
        if (!started) {
          if (buf.length - at < 8) break;
          const len = buf.readInt32BE(at);
          const code = buf.readInt32BE(at + 4);
          started = code !== 80877103; // an SSLRequest is followed by the StartupMessage
          skip = len;
          continue;
        }
        if (buf.length - at < 5) break;
        const type = buf[at]!;
        if (type === 0x51 /* Q */ || type === 0x45 /* E */) statements++;
        skip = 1 + buf.readInt32BE(at + 1);
      }
      buf = buf.subarray(at);
      pending = Buffer.from(buf);
    });
    upstream.on('data', (chunk: Buffer) => client.write(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url(databaseUrl: string) {
      const u = new URL(databaseUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    get statements() {
      return statements;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
