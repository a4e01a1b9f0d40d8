import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A local SMTP server for the notification tests (never a real one): it
 * accepts user `tracker` / password `smtp-secret`, refuses for good (550) every
 * recipient whose address starts with `bounce`, can refuse a recipient for a
 * while (451, "try again later": `deferNext`), and keeps what it received.
 */

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  raw: string;
}

export const SMTP_USER = 'tracker';
export const SMTP_PASSWORD = 'smtp-secret';

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= / ?Q?) of a header value. */
function decodeHeader(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_m, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(
          data.replace(/_/g, ' ').replace(/=([0-9a-f]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

function parseMail(raw: string, to: string[]): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1] ?? '';
  const text = /base64/i.test(header('Content-Transfer-Encoding'))
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
    : body;
  return { to, subject: decodeHeader(header('Subject')), text, raw };
}

export async function startSmtp() {
  const received: ReceivedMail[] = [];
  /** RCPT TO attempts per address, refused or not. */
  const rcptAttempts = new Map<string, number>();
  /** Address → how many more RCPT TO to refuse with 451. */
  const deferrals = new Map<string, number>();
  /** Address → the next delivery to it waits (its data received, no answer yet) until released. */
  const holds = new Map<string, { arrive: () => void; released: Promise<void> }>();
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return cb(null, { user: SMTP_USER });
      cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      const to = address.address;
      rcptAttempts.set(to, (rcptAttempts.get(to) ?? 0) + 1);
      const deferred = deferrals.get(to) ?? 0;
      if (deferred > 0) {
        deferrals.set(to, deferred - 1);
        return cb(Object.assign(new Error('4.3.0 mailbox busy, try again later'), { responseCode: 451 }));
      }
      if (to.startsWith('bounce')) return cb(Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 }));
      cb();
    },
    async onData(stream, session, cb) {
      const held = holds.get(session.envelope.rcptTo[0]?.address ?? '');
      if (held) {
        holds.delete(session.envelope.rcptTo[0]!.address);
        held.arrive();
        await held.released;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push(
          parseMail(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.rcptTo.map((r) => r.address),
          ),
        );
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    received,
    port,
    /** SMTP_URL of this server. */
    url: `smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${port}`,
    /** The next `times` deliveries to `address` are refused with 451 (a temporary failure), then accepted again. */
    deferNext: (address: string, times: number) => void deferrals.set(address, times),
    /**
     * The next delivery to `address` is held, as a slow server holds it, until `release()`: `arrived` resolves when the
     * tracker is waiting for the answer.
     */
    holdNext: (address: string) => {
      let arrive!: () => void;
      let release!: () => void;
      const arrived = new Promise<void>((r) => (arrive = r));
      const released = new Promise<void>((r) => (release = r));
      holds.set(address, { arrive, released });
      return { arrived, release };
    },
    /** How often a delivery to `address` was tried (accepted or refused). */
    attemptsFor: (address: string) => rcptAttempts.get(address) ?? 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type TestSmtp = Awaited<ReturnType<typeof startSmtp>>;

/** For afterAll: TestApp.start leaves its settings in process.env; the next file must not find the mail ones. */
export function forgetMailSettings(): void {
  delete process.env['SMTP_URL'];
  delete process.env['MAIL_FROM'];
}
