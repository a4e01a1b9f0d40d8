import type { DestinationStream } from 'pino';
import pretty from 'pino-pretty';

/**
 * How the server writes its logs: readable lines for a person at a terminal
 * (`npm start` in a shell), one JSON object per line everywhere else (a pipe,
 * a file, systemd, a container's log collector), which is what log tools read.
 */
export type LogFormat = 'pretty' | 'json';

/** 'pretty' only when standard output is a terminal. */
export function logFormatFor(stdout: { readonly isTTY?: boolean }): LogFormat {
  return stdout.isTTY === true ? 'pretty' : 'json';
}

/**
 * pino's destination for a format: pino-pretty (synchronous, in this thread:
 * nothing is lost when the process exits) for 'pretty'; undefined for 'json',
 * which leaves pino's own JSON lines on stdout. Pretty lines go to
 * `destination` (stdout by default). A request's log shows as
 * "POST /graphql → 200 (12 ms)", a Nest log as "[Context] message".
 */
export function logDestination(format: LogFormat, destination: NodeJS.WritableStream | number = 1): DestinationStream | undefined {
  if (format === 'json') return undefined;
  return pretty({
    destination,
    colorize: true,
    sync: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat: '{if context}[{context}] {end}{if req}{req.method} {req.url} → {res.statusCode} ({responseTime} ms) {end}{msg}',
  });
}
