import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { TestApp } from '../support/test-app';

/** What an error answer of a plain HTTP route looks like. */
export interface HttpErrorBody {
  error: { code: string; reason?: string; message: string; [k: string]: unknown };
}

export interface UploadFile {
  bytes: Buffer;
  name: string;
  /** The declared Content-Type of the part (ignored by the server for the decision). */
  type?: string;
}

/** POST /evidence/files with fetch + FormData: the fields in order, then the file part(s). */
export async function upload(
  t: TestApp,
  token: string | null,
  fields: Record<string, string>,
  files: UploadFile[],
  headers: Record<string, string> = { 'apollo-require-preflight': 'true' },
): Promise<{ status: number; body: Record<string, unknown> & Partial<HttpErrorBody> }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append('file', new Blob([f.bytes], { type: f.type ?? 'application/octet-stream' }), f.name);
  const res = await fetch(`${t.baseUrl}/evidence/files`, {
    method: 'POST',
    body: form,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A hand-written multipart body (for the cases fetch will not produce). */
export function multipartBody(
  boundary: string,
  parts: { name: string; value?: string; filename?: string; type?: string; bytes?: Buffer }[],
  close = true,
): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.name}"${p.filename !== undefined ? `; filename="${p.filename}"` : ''}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.type ? `Content-Type: ${p.type}\r\n` : ''}\r\n`, 'utf8'),
    );
    chunks.push(p.bytes ?? Buffer.from(p.value ?? '', 'utf8'), Buffer.from('\r\n'));
  }
  if (close) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

/** POST a raw body to /evidence/files. */
export async function postRaw(t: TestApp, token: string, body: Buffer, headers: Record<string, string>) {
  const res = await fetch(`${t.baseUrl}/evidence/files`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return { status: res.status, body: (await res.json()) as HttpErrorBody };
}

/**
 * Starts an upload announcing `declaredLength` bytes, sends `sent` of them,
 * then breaks the connection (a client that went away half way).
 */
export async function cutOffUpload(
  t: TestApp,
  token: string,
  head: Buffer,
  partial: Buffer,
  declaredLength: number,
  boundary: string,
  beforeCut: () => void = () => undefined,
): Promise<void> {
  const url = new URL(`${t.baseUrl}/evidence/files`);
  await new Promise<void>((resolve) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'apollo-require-preflight': 'true',
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(declaredLength),
      },
    });
    req.on('error', () => resolve()); // expected: we destroy it
    req.on('response', () => resolve());
    req.write(head);
    req.write(partial, () => {
      // Let the server take the bytes in, then vanish.
      setTimeout(() => {
        beforeCut();
        req.destroy();
        resolve();
      }, 300);
    });
  });
}

/** Every file under a directory, relative, sorted (nothing when it does not exist). */
export function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

/** Waits until `check` holds (or fails after `ms`). */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
