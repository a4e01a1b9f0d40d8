import { loadSession } from './session';
import { freshAccessToken } from './token-keeper';

/** Why a download did not happen: the server's status, or no answer at all. */
export class DownloadError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Saves a READY evidence bundle as a file. `GET /bundles/:id` wants the
 * bearer token (the session's, never a cookie), so a plain link cannot fetch
 * it: the zip is fetched with the token and handed to the browser as a blob
 * behind a temporary `<a download>`. Returns the file name it was saved as.
 */
export async function downloadBundle(path: string, fileName: string, doc: Document = document): Promise<string> {
  const token = (await freshAccessToken().catch(() => null)) ?? loadSession()?.token;
  if (!token) throw new DownloadError('not signed in', 401);
  let res: Response;
  try {
    res = await fetch(path, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (e) {
    throw new DownloadError(e instanceof Error ? e.message : String(e));
  }
  if (!res.ok) throw new DownloadError(`HTTP ${res.status}`, res.status);
  const blob = await res.blob();
  saveBlob(blob, fileName, doc);
  return fileName;
}

/** Hands a blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string, doc: Document = document): void {
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  doc.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // The browser has taken the blob by the time the click's task ends; free it a little later.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
