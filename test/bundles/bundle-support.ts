import { expect } from 'vitest';
import type { TestApp } from '../support/test-app';

export const BUNDLE_FIELDS = `id scope scopeId incidentId asOf status filesDone filesTotal bytesDone bytesTotal sha256 size fileName error
  requestedBy requestedAt finishedAt checkpointSize downloadPath`;

export interface ApiBundle {
  id: string;
  scope: string;
  scopeId: string;
  incidentId: string;
  asOf: string;
  status: 'QUEUED' | 'BUILDING' | 'READY' | 'FAILED';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  sha256: string | null;
  size: number | null;
  fileName: string | null;
  error: string | null;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string | null;
  checkpointSize: number | null;
  downloadPath: string | null;
}

export const EXPORT = `mutation($input: ExportEvidenceBundleInput!) { exportEvidenceBundle(input: $input) { ${BUNDLE_FIELDS} } }`;
export const ONE = `query($id: ID!) { evidenceBundle(id: $id) { ${BUNDLE_FIELDS} } }`;
export const LIST = `query($first: Int, $after: String) { evidenceBundles(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id status scope } } }`;

export async function exportBundle(t: TestApp, token: string, input: { scope: string; id: string; asOf?: string }): Promise<ApiBundle> {
  const res = await t.gql<{ exportEvidenceBundle: ApiBundle }>(EXPORT, { input }, token);
  expect(res.errors).toBeUndefined();
  return res.data!.exportEvidenceBundle;
}

/** Polls the bundle until it is in one of `states` (a generous deadline; never a fixed sleep as the assertion). */
export async function waitFor(
  t: TestApp,
  token: string,
  id: string,
  states: ApiBundle['status'][] = ['READY', 'FAILED'],
): Promise<ApiBundle> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const res = await t.gql<{ evidenceBundle: ApiBundle }>(ONE, { id }, token);
    const b = res.data?.evidenceBundle;
    if (b && states.includes(b.status)) return b;
    if (Date.now() > deadline) throw new Error(`bundle ${id} still ${b?.status ?? JSON.stringify(res.errors)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function download(t: TestApp, path: string, token?: string): Promise<Response> {
  return fetch(`${t.baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
}
