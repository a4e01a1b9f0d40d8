import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logDestination, logFormatFor } from './log-output';

describe('the server log format', () => {
  it('is readable lines on a terminal and JSON lines on anything else (a pipe, a file, a collector)', () => {
    expect(logFormatFor({ isTTY: true })).toBe('pretty');
    expect(logFormatFor({ isTTY: false })).toBe('json');
    // A piped or redirected stdout has no isTTY at all.
    expect(logFormatFor({})).toBe('json');
  });

  it('leaves JSON to pino itself, and formats a request line for people on a terminal', async () => {
    expect(logDestination('json')).toBeUndefined();
    const out: string[] = [];
    const terminal = new Writable({ write: (c: Buffer, _enc, done) => void (out.push(c.toString()), done()) });
    const stream = logDestination('pretty', terminal)!;
    const line = {
      level: 30,
      time: Date.UTC(2026, 0, 2, 3, 4, 5),
      pid: 1,
      hostname: 'h',
      req: { method: 'POST', url: '/graphql' },
      res: { statusCode: 200 },
      responseTime: 12,
      msg: 'request completed',
    };
    stream.write(JSON.stringify(line) + '\n');
    stream.write(JSON.stringify({ level: 30, time: 0, context: 'NestApplication', msg: 'started' }) + '\n');
    await new Promise((r) => setImmediate(r));
    // eslint-disable-next-line no-control-regex
    const text = out.join('').replace(/\u001b\[[0-9;]*m/g, '');
    expect(text).toMatch(/INFO.*POST \/graphql → 200 \(12 ms\) request completed/);
    expect(text).toMatch(/INFO.*\[NestApplication\] started/);
    expect(text).not.toContain('{"level"');
  });
});
