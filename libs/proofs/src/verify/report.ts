/** The verifier's report: every named check of docs/proofs.md, each PASS, FAIL or SKIPPED, with bilingual details. */

export const CHECK_NAMES = [
  'BAG_COMPLETE',
  'TAG_MANIFEST',
  'SIGNED_SUBJECT',
  'BUNDLE_SIGNATURE',
  'CHECKPOINT_SIGNATURE',
  'COSIGNATURES',
  'TRAIL_CHAIN',
  'TRAIL_INCLUSION',
  'CHECKPOINT_CONSISTENCY',
  'SIGN_OFF_DIGESTS',
  'CLEARANCE_DIGESTS',
  'EVIDENCE_BYTES',
] as const;

export type CheckName = (typeof CHECK_NAMES)[number];
export type CheckStatus = 'PASS' | 'FAIL' | 'SKIPPED';
export type Lang = 'ja' | 'en';

/** One line of a check's details. `problem` marks what made the check fail. */
export interface Detail {
  ja: string;
  en: string;
  problem?: boolean;
  /** A stable code for some failures: FORK, BUNDLE_OLDER_THAN_CHECKPOINT, INCONSISTENT_WITH_CHECKPOINT, ... */
  code?: string;
  /** The file (zip path), trail entry seq or signer name it is about. */
  file?: string;
  seq?: string;
  signer?: string;
}

export interface CheckResult {
  name: CheckName;
  status: CheckStatus;
  details: Detail[];
}

export interface BundleSummary {
  scope: string | null;
  scopeId: string | null;
  asOf: string | null;
  checkpointSize: number | null;
  bundleKey: string | null;
  files: number;
}

export interface VerificationReport {
  ok: boolean;
  summary: BundleSummary;
  checks: CheckResult[];
}

const TITLES: Record<CheckName, { ja: string; en: string }> = {
  BAG_COMPLETE: {
    ja: 'バッグの完全性（マニフェスト・余分なファイル・Payload-Oxum）',
    en: 'Bag complete (manifest, no extra file, Payload-Oxum)',
  },
  TAG_MANIFEST: { ja: 'タグマニフェスト', en: 'Tag manifest' },
  SIGNED_SUBJECT: { ja: '署名対象（タグマニフェストのハッシュ）', en: 'Signed subject (tag manifest hash)' },
  BUNDLE_SIGNATURE: { ja: 'バンドル署名（指定した鍵）', en: 'Bundle signature (pinned key)' },
  CHECKPOINT_SIGNATURE: { ja: 'チェックポイント署名', en: 'Checkpoint signature' },
  COSIGNATURES: { ja: '共同署名', en: 'Co-signatures' },
  TRAIL_CHAIN: { ja: '監査証跡のハッシュ連鎖', en: 'Audit trail hash chain' },
  TRAIL_INCLUSION: { ja: '監査証跡の包含証明', en: 'Audit trail inclusion proofs' },
  CHECKPOINT_CONSISTENCY: { ja: '保管済みチェックポイントとの整合性', en: 'Consistency with the kept checkpoint' },
  SIGN_OFF_DIGESTS: { ja: '承認（サインオフ）のダイジェスト', en: 'Sign-off digests' },
  CLEARANCE_DIGESTS: { ja: '監査完了（クリアランス）のダイジェスト', en: 'Clearance digests' },
  EVIDENCE_BYTES: { ja: '証跡ファイルの内容', en: 'Evidence file bytes' },
};

const STATUS: Record<CheckStatus, { ja: string; en: string }> = {
  PASS: { ja: '合格', en: 'PASS' },
  FAIL: { ja: '不合格', en: 'FAIL' },
  SKIPPED: { ja: '未実施', en: 'SKIPPED' },
};

export function checkTitle(name: CheckName, lang: Lang): string {
  return TITLES[name][lang];
}

export function statusLabel(status: CheckStatus, lang: Lang): string {
  return STATUS[status][lang];
}

/** Collects the details of one check; FAIL if any problem was added. */
export class CheckBuilder {
  readonly details: Detail[] = [];
  private skipped = false;

  constructor(readonly name: CheckName) {}

  info(ja: string, en: string, extra: Omit<Detail, 'ja' | 'en' | 'problem'> = {}): this {
    this.details.push({ ja, en, ...extra });
    return this;
  }

  problem(ja: string, en: string, extra: Omit<Detail, 'ja' | 'en' | 'problem'> = {}): this {
    this.details.push({ ja, en, problem: true, ...extra });
    return this;
  }

  /** SKIPPED unless a problem is also reported. */
  skip(ja: string, en: string): this {
    this.skipped = true;
    return this.info(ja, en);
  }

  get failed(): boolean {
    return this.details.some((d) => d.problem);
  }

  result(): CheckResult {
    const status: CheckStatus = this.failed ? 'FAIL' : this.skipped ? 'SKIPPED' : 'PASS';
    return { name: this.name, status, details: this.details };
  }
}

/** The report as text: a header, then each check with its status and details (problems first). */
export function formatReport(report: VerificationReport, lang: Lang): string {
  const s = report.summary;
  const lines: string[] = [];
  const unknown = lang === 'ja' ? '不明' : 'unknown';
  if (lang === 'ja') {
    lines.push('証跡バンドルの検証結果');
    lines.push(`範囲: ${s.scope ?? unknown} ${s.scopeId ?? ''}`.trimEnd());
    lines.push(`基準時刻: ${s.asOf ?? unknown}`);
    lines.push(`チェックポイントのサイズ: ${s.checkpointSize ?? unknown}`);
    lines.push(`バンドル署名鍵: ${s.bundleKey ?? unknown}`);
    lines.push(`ファイル数: ${s.files}`);
  } else {
    lines.push('Evidence bundle verification');
    lines.push(`Scope: ${s.scope ?? unknown} ${s.scopeId ?? ''}`.trimEnd());
    lines.push(`As of: ${s.asOf ?? unknown}`);
    lines.push(`Checkpoint size: ${s.checkpointSize ?? unknown}`);
    lines.push(`Bundle key: ${s.bundleKey ?? unknown}`);
    lines.push(`Files: ${s.files}`);
  }
  lines.push('');
  for (const c of report.checks) {
    lines.push(`[${statusLabel(c.status, lang)}] ${c.name} — ${checkTitle(c.name, lang)}`);
    const ordered = [...c.details.filter((d) => d.problem), ...c.details.filter((d) => !d.problem)];
    const shown = ordered.slice(0, 50);
    for (const d of shown) lines.push(`    ${d.problem ? '✗' : '-'} ${d.code ? `${d.code}: ` : ''}${d[lang]}`);
    if (ordered.length > shown.length) {
      const more = ordered.length - shown.length;
      lines.push(lang === 'ja' ? `    …ほか ${more} 件` : `    … and ${more} more`);
    }
  }
  lines.push('');
  const failed = report.checks.filter((c) => c.status === 'FAIL').map((c) => c.name);
  const skipped = report.checks.filter((c) => c.status === 'SKIPPED').length;
  if (lang === 'ja') {
    lines.push(
      failed.length > 0
        ? `結果: 不合格（${failed.join(', ')}）`
        : skipped > 0
          ? `結果: 不合格の検査はありません（未実施 ${skipped} 件）。`
          : '結果: すべての検査に合格しました。',
    );
  } else {
    lines.push(
      failed.length > 0
        ? `Result: FAILED (${failed.join(', ')})`
        : skipped > 0
          ? `Result: no check failed (${skipped} skipped).`
          : 'Result: every check passed.',
    );
  }
  return `${lines.join('\n')}\n`;
}
