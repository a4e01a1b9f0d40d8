import {
  checkTitle,
  formatReport,
  keyPinFromText,
  verifyBundle,
  type BundleSummary,
  type CheckResult,
  type Detail,
  type KeyPin,
} from '@app/proofs';
import { browserPlatform } from './platform';
import type { Row, RowDetail } from './render';
import type { BagSource } from './zip-source';

/** What the user gave on the page (text as typed or loaded from a file). */
export interface PageInput {
  key: string;
  trailKey?: string;
  cosigners?: string;
  checkpoint?: string;
}

export type PageOutcome =
  | { kind: 'report'; ok: boolean; summary: BundleSummary; rows: Row[]; textJa: string; textEn: string }
  | { kind: 'input-error'; field: 'key' | 'trail-key'; ja: string; en: string };

/** Runs the verifier core of @app/proofs (the same checks as the CLI) with the browser's platform. */
export async function runVerification(source: BagSource, input: PageInput): Promise<PageOutcome> {
  const key = pin(input.key, 'key');
  if (key.kind === 'input-error') return key;
  const trailKey = input.trailKey?.trim() ? pin(input.trailKey, 'trail-key') : undefined;
  if (trailKey?.kind === 'input-error') return trailKey;
  const cosigners = (input.cosigners ?? '')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const report = await verifyBundle(
    source,
    { key, trailKey, cosigners, olderCheckpoint: input.checkpoint?.trim() ? input.checkpoint : undefined },
    browserPlatform,
  );
  return {
    kind: 'report',
    ok: report.ok,
    summary: report.summary,
    rows: report.checks.map(toRow),
    textJa: formatReport(report, 'ja'),
    textEn: formatReport(report, 'en'),
  };
}

function pin(text: string, field: 'key' | 'trail-key'): KeyPin | Extract<PageOutcome, { kind: 'input-error' }> {
  try {
    return keyPinFromText(text);
  } catch {
    return {
      kind: 'input-error',
      field,
      ja: '鍵は SHA256:… の指紋、鍵一覧の JSON、または PEM 公開鍵（-----BEGIN PUBLIC KEY-----）で入力してください。',
      en: 'A key is a SHA256:… fingerprint, a keys document (JSON) or a PEM public key (-----BEGIN PUBLIC KEY-----).',
    };
  }
}

const STATUS = { PASS: 'pass', FAIL: 'fail', SKIPPED: 'skip' } as const;

function toRow(c: CheckResult): Row {
  return {
    name: c.name,
    title: { ja: checkTitle(c.name, 'ja'), en: checkTitle(c.name, 'en') },
    status: STATUS[c.status],
    details: c.details.map(toDetail),
  };
}

function toDetail(d: Detail): RowDetail {
  const subject = d.file ?? (d.seq !== undefined ? `seq ${d.seq}` : undefined) ?? d.signer;
  // Named once: not again in front of a sentence that already says it.
  const said = subject !== undefined && (d.ja.includes(subject) || d.en.includes(subject));
  return { ja: d.ja, en: d.en, problem: !!d.problem, code: d.code, subject: said ? undefined : subject };
}
