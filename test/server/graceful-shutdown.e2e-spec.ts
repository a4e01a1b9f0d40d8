import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CASE_TIME_ZONE, todayIn } from '@app/common';
import { pdf } from '../evidence/support-files';
import { eventually, filesUnder, multipartBody } from '../evidence/support-files-http';
import { makeOwnedRequirement } from '../support/remediation-factory';
import {
  childEnv,
  ensureBuild,
  killLeftoverServers,
  newDataDir,
  type ServerChild,
  startServer,
  startServerFails,
  signInAt,
} from '../support/server-child';
import { TestApp } from '../support/test-app';

/**
 * A rolling restart stops one instance at a time with SIGTERM. The instance must
 * drain: say "not ready" at once, take no new connections, let what is in flight
 * (an evidence upload half received) finish, close its subscriptions with a code
 * that clients retry, then stop with exit code 0. The built server runs as a
 * child process on a test database prepared in this process.
 */
describe('SIGTERM drains the instance before it stops', () => {
  let databaseUrl: string;
  let dataDir: string;
  let requirementId: string;
  let owner: { email: string; password: string };
  let today: string;

  const start = (extra: Record<string, string> = {}) =>
    startServer(childEnv({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, DATA_DIR: dataDir, DEMO: 'false', LOG_LEVEL: 'info', ...extra }));

  const signIn = (s: ServerChild) => signInAt(s.baseUrl, owner);

  const sql = async (text: string, params: unknown[] = []) => {
    const { Client } = await import('pg');
    const client = new Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };

  const tempDir = () => path.join(dataDir, 'evidence', 'tmp');
  const partFiles = () => filesUnder(tempDir()).filter((f) => f.endsWith('.part'));
  /**
   * A check that is true once the server has written some of an upload begun after this call to its
   * temp file (not a file an earlier test left: each test waits for its own upload).
   */
  const uploadReceived = () => {
    const before = new Set(partFiles());
    return () => partFiles().some((f) => !before.has(f) && fs.statSync(path.join(tempDir(), f)).size > 0);
  };

  /**
   * True once the server process has accepted every connection made to `port` and read every byte sent
   * on them (Linux: the kernel's queues in /proc/net/tcp and tcp6: the listening socket's backlog and
   * each accepted connection's receive queue are empty). Until then a drain would see a connection that
   * has sent part of a request as idle, or not see it at all.
   */
  const serverHasReadAll = (port: number) => () => {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      if (!fs.existsSync(file)) continue;
      for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols.length < 5 || !cols[1]!.endsWith(`:${hex}`)) continue; // the server's end: local port = its port
        const rxQueue = parseInt(cols[4]!.split(':')[1]!, 16); // LISTEN: the accept backlog; else: bytes unread
        if (rxQueue > 0) return false;
      }
    }
    return true;
  };

  /**
   * An upload sent in two halves on one raw connection: `sendFirstHalf` writes the
   * fields and the first half of the file; `sendRest` the rest; `answer` is the response.
   */
  function splitUpload(s: ServerChild, token: string, bytes: Buffer) {
    const boundary = '----drain-test-boundary';
    const body = multipartBody(boundary, [
      { name: 'requirementId', value: requirementId },
      { name: 'effectiveOn', value: today },
      { name: 'file', filename: '監視ログ.pdf', type: 'application/pdf', bytes },
    ]);
    const cut = body.length - Math.floor(bytes.length / 2);
    const req = http.request({
      host: '127.0.0.1',
      port: s.port,
      path: '/evidence/files',
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'apollo-require-preflight': 'true',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(body.length),
      },
    });
    const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
        res.on('error', reject);
      });
    });
    answer.catch(() => undefined); // observed by the test that awaits it
    return {
      answer,
      sendFirstHalf: () => req.write(body.subarray(0, cut)),
      sendRest: () => req.end(body.subarray(cut)),
      abandon: () => req.destroy(),
    };
  }

  /**
   * A request whose head is partly sent: the connection is busy (not idle), so
   * the drain leaves it open; `finish` sends the end of the head and resolves with the answer.
   */
  async function requestInProgress(s: ServerChild, route: string) {
    const socket = net.connect(s.port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    socket.write(`GET ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\n`);
    let raw = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (raw += c));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    return {
      finish: async () => {
        socket.write('\r\n');
        await ended; // Connection: close: the server ends the connection after its answer
        const [head, ...rest] = raw.split('\r\n\r\n');
        const [statusLine, ...headerLines] = head.split('\r\n');
        const headers = Object.fromEntries(
          headerLines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]),
        );
        return { status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') };
      },
    };
  }

  /** Whether a new TCP connection to the port is refused. */
  const connectionRefused = (port: number) =>
    new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve('accepted');
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });

  beforeAll(async () => {
    ensureBuild();
    const t = await TestApp.start();
    try {
      const plan = await makeOwnedRequirement(t);
      owner = { email: plan.owner.user.email, password: plan.owner.password };
      requirementId = plan.requirementId;
      databaseUrl = t.databaseUrl;
    } finally {
      await t.close();
    }
    today = todayIn(CASE_TIME_ZONE, new Date());
    dataDir = newDataDir('rt-drain-');
  }, 240_000);

  afterAll(() => {
    killLeftoverServers();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('an upload half sent when SIGTERM comes is finished and committed; meanwhile ready is 503 draining, /health 200, new connections refused; then exit 0', async () => {
    const s = await start({ SHUTDOWN_GRACE_SECONDS: '600' });
    const token = await signIn(s);
    const bytes = pdf(`drain ${'x'.repeat(256 * 1024)}`);
    const upload = splitUpload(s, token, bytes);
    const received = uploadReceived();
    upload.sendFirstHalf();
    await eventually(received, 60_000);
    const ready = await requestInProgress(s, '/health/ready');
    const live = await requestInProgress(s, '/health');
    await eventually(serverHasReadAll(s.port), 60_000);

    s.child.kill('SIGTERM');
    await s.waitForOutput('SIGTERM: draining');
    expect(s.output()).toContain('1 request(s) in flight have up to 600 s to finish (POST /evidence/files)');

    const readiness = await ready.finish();
    expect(readiness.status).toBe(503);
    expect(readiness.headers['connection']).toBe('close');
    expect(JSON.parse(readiness.body)).toMatchObject({ status: 'draining' });
    expect((JSON.parse(readiness.body) as { message: string }).message).toContain('stopping (SIGTERM)');
    const liveness = await live.finish();
    expect(liveness.status).toBe(200);
    expect(await connectionRefused(s.port)).toBe('ECONNREFUSED');

    upload.sendRest();
    const answered = await upload.answer;
    expect(answered.status).toBe(201);
    expect(answered.headers['connection']).toBe('close');
    const evidence = JSON.parse(answered.body) as { id: string; sha256: string; sizeBytes: number };
    expect(evidence.sizeBytes).toBe(bytes.length);
    expect(await sql(`SELECT sha256, size_bytes::int AS size FROM evidence WHERE id = $1`, [evidence.id])).toEqual([
      { sha256: evidence.sha256, size: bytes.length },
    ]);

    expect(await s.exited).toBe(0);
    const out = s.output();
    expect(out).toContain('every request in flight has finished: closing');
    expect(out).toContain('stopped (SIGTERM)');
    expect(out).not.toContain('were cut');
  }, 180_000);

  it('an open subscription is closed with 1012 Service Restart, which the graphql-ws client retries', async () => {
    const s = await start({ SHUTDOWN_GRACE_SECONDS: '600' });
    const token = await signIn(s);
    const events: string[] = [];
    let closed: { code: number; reason: string } | null = null;
    const client = createClient({
      url: `ws://127.0.0.1:${s.port}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      // It goes on retrying (the port is closed by then) until disposed below: a client that ran out of
      // attempts while the server was still closing would end with the refused connection as its error.
      retryAttempts: 1_000,
      on: {
        connecting: (isRetry) => void events.push(isRetry ? 'retrying' : 'connecting'),
        connected: () => void events.push('connected'),
        closed: (e) => {
          const ev = e as { code: number; reason: string | Buffer };
          closed ??= { code: ev.code, reason: String(ev.reason) };
        },
      },
    });
    const unsubscribe = client.subscribe(
      { query: 'subscription { notificationAdded { id } }' },
      { next: () => undefined, error: () => void events.push('error'), complete: () => void events.push('complete') },
    );
    try {
      await eventually(() => events.includes('connected'), 60_000);
      s.child.kill('SIGTERM');
      await eventually(() => closed !== null, 60_000);
      expect(closed).toEqual({ code: 1012, reason: 'Service Restart: this instance is stopping; reconnect' });
      // Not fatal to the client: it reconnects (through a load balancer, to another instance).
      await eventually(() => events.includes('retrying'), 60_000);
      // The close did not end the subscription: the client went on to reconnect (here the port is closed by then, so that fails).
      expect(events.slice(0, 3)).toEqual(['connecting', 'connected', 'retrying']);
      expect(await s.exited).toBe(0);
      expect(s.output()).toContain('1 subscription socket(s) closed with 1012');
    } finally {
      unsubscribe();
      await Promise.resolve(client.dispose()).catch(() => undefined);
    }
  }, 180_000);

  it('with SHUTDOWN_GRACE_SECONDS=1 a request that never finishes is cut, the log says so, and the process still exits 0; a second SIGTERM starts no second drain', async () => {
    const s = await start({ SHUTDOWN_GRACE_SECONDS: '1' });
    const token = await signIn(s);
    const upload = splitUpload(s, token, pdf(`never finished ${'y'.repeat(256 * 1024)}`));
    const received = uploadReceived();
    upload.sendFirstHalf();
    await eventually(received, 60_000);

    s.child.kill('SIGTERM');
    await s.waitForOutput('SIGTERM: draining');
    s.child.kill('SIGTERM');
    await s.waitForOutput('SIGTERM again: already stopping');

    await expect(upload.answer).rejects.toThrow(); // the connection was cut under it
    expect(await s.exited).toBe(0);
    const out = s.output();
    expect(out).toContain(
      'the shutdown grace of 1 s (SHUTDOWN_GRACE_SECONDS) ran out: 1 request(s) still in flight were cut (POST /evidence/files)',
    );
    expect(out).toContain('stopped (SIGTERM) after cutting 1 request(s) in flight');
    expect(out.match(/: draining:/g)).toHaveLength(1);
  }, 180_000);

  it('SIGINT (Ctrl-C) with nothing in flight stops at once and cleanly', async () => {
    const s = await start();
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('stopped (SIGINT)');
  }, 180_000);

  it('INSTANCES=2 on the single-process defaults refuses to start and names each setting to set', async () => {
    const { code, stderr } = await startServerFails(childEnv({ INSTANCES: '2', DATA_DIR: dataDir }));
    expect(code).toBe(1);
    expect(stderr).toContain('The server did not start.');
    for (const setting of [
      'DATABASE_URL',
      'EVIDENCE_S3_BUCKET',
      'JWT_SECRET',
      'SECOND_FACTOR_KEY',
      'TRAIL_SIGNING_KEY_FILE',
      'BUNDLE_SIGNING_KEY_FILE',
      'CHECKPOINT_DIR',
      'BUNDLE_DIR',
    ]) {
      expect(stderr).toContain(`  - ${setting}: INSTANCES=2 needs`);
    }
  }, 60_000);
});
