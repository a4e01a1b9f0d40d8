import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { PinnedTarget } from './webhook-targets';

export interface PostAnswer {
  status: number;
  statusText: string;
}

/**
 * POSTs `body` to the target's URL over a connection to the target's checked
 * address: the name is not looked up again (no DNS rebinding between check and
 * connect). The Host header and, for https, the TLS server name and the
 * certificate check stay those of the URL's host. No redirect is followed.
 * The answer's body is not read.
 */
export function postPinned(target: PinnedTarget, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<PostAnswer> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) {
      (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
        { address: target.address, family: target.family },
      ]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<PostAnswer>((resolve, reject) => {
    const req = client.request(
      target.url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        signal,
        agent: false, // a fresh connection per POST: never one kept alive to an address checked earlier
      },
      (res) => {
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '' });
        res.destroy(); // the status is the answer; the body is not read
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
