import * as http from 'node:http';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpDrain } from './http-drain';

/** A plain HTTP server whose /slow answers only when the test says so. */
async function serve() {
  const release: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/slow') release.push(() => res.end('slow done'));
    else res.end('ok');
  });
  const drain = new HttpDrain(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { server, drain, port, release };
}

function get(port: number, path: string, agent?: http.Agent) {
  return new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
      })
      .on('error', reject);
  });
}

const refused = (port: number) =>
  new Promise<string>((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve('accepted');
    });
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

describe('HttpDrain: what a draining instance does with its connections', () => {
  const servers: http.Server[] = [];
  afterEach(() => {
    for (const s of servers.splice(0)) s.closeAllConnections();
  });

  it('lets a request in flight finish with Connection: close, refuses new connections, and settles once it is done', async () => {
    const { server, drain, port, release } = await serve();
    servers.push(server);
    const slow = get(port, '/slow');
    await until(() => release.length === 1);
    expect(drain.pending).toEqual(['GET /slow']);

    drain.stopAccepting();
    let settled = false;
    const waiting = drain.settled().then(() => (settled = true));
    expect(await refused(port)).toBe('ECONNREFUSED');
    expect(settled).toBe(false);

    release[0]();
    expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow done' });
    await waiting;
    expect(drain.pending).toEqual([]);
  });

  it('closes idle keep-alive connections at once, so they carry no new request', async () => {
    const { server, drain, port } = await serve();
    servers.push(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/', agent)).connection).toBe('keep-alive');
    const [socket] = Object.values(agent.freeSockets).flat();
    const closed = new Promise<void>((resolve) => socket!.once('close', () => resolve()));
    drain.stopAccepting();
    await closed;
    agent.destroy();
  });

  it('settles at once with nothing in flight; cutAll ends what is left and says what it cut', async () => {
    const { server, drain, port, release } = await serve();
    servers.push(server);
    const slow = get(port, '/slow').catch((e: NodeJS.ErrnoException) => e.code);
    await until(() => release.length === 1);
    drain.stopAccepting();
    expect(drain.cutAll()).toEqual(['GET /slow']);
    expect(await slow).toBe('ECONNRESET');
    await drain.settled();

    const idle = await serve();
    servers.push(idle.server);
    idle.drain.stopAccepting();
    await idle.drain.settled();
    expect(idle.drain.cutAll()).toEqual([]);
  });
});
