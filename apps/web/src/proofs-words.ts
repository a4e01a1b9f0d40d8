import { fillPlaceholders, MONTHS, tokyoParts, type Lang } from './i18n';

/**
 * The proofs panel's words (signed trail checkpoints, evidence bundles, the
 * offline verifier: docs/proofs.md), in the page's two languages. Kept beside
 * i18n.ts rather than in it (that file holds the rest of the page's words);
 * every key exists in both (the type of `en` is derived from `ja`).
 */
const ja = {
  'proofs.title': 'サーバーに頼らない証明',
  'proofs.lead': 'この記録が後から書き換えられていないことを、このサーバーを信用せずに確かめるための情報です。',
  'checkpoint.title': '監査証跡の最新チェックポイント',
  'checkpoint.none': 'チェックポイントはまだ作成されていません。',
  'checkpoint.size': '記録件数',
  'checkpoint.sizeValue': '{n} 件（#1〜#{n}）',
  'checkpoint.at': '作成日時',
  'checkpoint.reason': '作成のきっかけ',
  'checkpoint.key': '署名した鍵（鍵ID）',
  'checkpoint.root': 'ルートハッシュ',
  'checkpoint.cosigned': '共同署名',
  'checkpoint.noCosign': 'まだ共同署名はありません',
  'reason.SCHEDULE': '定期作成',
  'reason.SIGN_OFF': '監査人の承認（サインオフ）',
  'reason.CLEARANCE': '監査完了',
  'reason.GATE': '販売促進ゲートの変更',
  'reason.BUNDLE': '証拠パッケージの作成',
  'reason.ON_DEMAND': '依頼による作成',
  'reason.START': 'サーバーの起動',
  'bundle.title': '証拠パッケージ',
  'bundle.lead': 'この事案の対策・証跡・承認・監査証跡を、署名付きの1つのZIPファイル（BagIt形式）にまとめます。',
  'bundle.export': 'この事案の証拠パッケージを作成（現時点）',
  'bundle.requesting': '作成を依頼しています…',
  'bundle.requestFailed': '作成を依頼できませんでした: {message}',
  'bundle.busy': 'この事案の証拠パッケージは、別の依頼で作成中です。その進み具合を表示します。',
  'bundle.status.QUEUED': '作成待ち',
  'bundle.status.BUILDING': '作成中',
  'bundle.status.READY': '完成',
  'bundle.status.FAILED': '失敗',
  'bundle.queuedText': '作成待ちです。まもなく作成が始まります。',
  'bundle.buildingText': '作成中です: 証跡ファイル {done} / {total} 件（{bytes}）',
  'bundle.readyText': '証拠パッケージができました（{size}）。SHA-256: {sha}',
  'bundle.failedText': '作成できませんでした: {error}',
  'bundle.progressLabel': '証拠パッケージの作成の進み具合',
  'bundle.download': 'ダウンロード',
  'bundle.downloadLabel': '証拠パッケージ {name} をダウンロード',
  'bundle.downloading': 'ダウンロード中…',
  'bundle.downloaded': '{name} を保存しました。',
  'bundle.downloadFailed': 'ダウンロードできませんでした: {message}',
  'bundle.recent': '最近の証拠パッケージ',
  'bundle.none': '証拠パッケージはまだ作成されていません。',
  'bundle.col.requested': '依頼日時',
  'bundle.col.scope': '範囲',
  'bundle.col.by': '依頼者',
  'bundle.col.status': '状態',
  'bundle.col.sha': 'SHA-256（先頭）',
  'bundle.col.file': 'ファイル',
  'scope.INCIDENT': '事案全体',
  'scope.ENGAGEMENT': '外部監査',
  'scope.COUNTERMEASURE': '対策',
  'verify.title': 'オフラインで確かめる',
  'verify.lead':
    '検証ページ（verify.html）をブラウザで開いて証拠パッケージを置くと、下の公開鍵のフィンガープリントと照らして、ネットワークなしで改ざんがないか確かめられます。公開鍵の一覧（keys.json）は、同じ確認をコマンド（remediation-verify --key）で行うときに使います。',
  'verify.download': '検証ページ（verify.html）をダウンロード',
  'verify.keys': '公開鍵の一覧（keys.json）',
  'keys.title': '公開鍵のフィンガープリント',
  'keys.trail': '監査証跡の署名鍵',
  'keys.bundle': '証拠パッケージの署名鍵',
  'keys.keyId': '鍵ID',
  'keys.fingerprint': 'フィンガープリント',
  'keys.since': '{date} から使用',
} as const;

export type ProofsKey = keyof typeof ja;

const en: Record<ProofsKey, string> = {
  'proofs.title': 'Proofs that do not need us',
  'proofs.lead': 'What you need to check, without trusting this server, that these records were not rewritten afterwards.',
  'checkpoint.title': 'Latest audit-trail checkpoint',
  'checkpoint.none': 'No checkpoint has been made yet.',
  'checkpoint.size': 'Tree size',
  'checkpoint.sizeValue': '{n} entries (#1 to #{n})',
  'checkpoint.at': 'Made at',
  'checkpoint.reason': 'Made because of',
  'checkpoint.key': 'Signed by key (key id)',
  'checkpoint.root': 'Root hash',
  'checkpoint.cosigned': 'Co-signed by',
  'checkpoint.noCosign': 'No co-signature yet',
  'reason.SCHEDULE': 'schedule',
  'reason.SIGN_OFF': 'an auditor’s sign-off',
  'reason.CLEARANCE': 'the audit’s clearance',
  'reason.GATE': 'a change of the sales-promotion gate',
  'reason.BUNDLE': 'an evidence bundle export',
  'reason.ON_DEMAND': 'a request',
  'reason.START': 'the server’s start',
  'bundle.title': 'Evidence bundle',
  'bundle.lead': 'One signed zip file (a BagIt bag) with this incident’s countermeasures, evidence, sign-offs and audit trail.',
  'bundle.export': 'Export an evidence bundle of this incident (as of now)',
  'bundle.requesting': 'Asking for the export…',
  'bundle.requestFailed': 'Could not ask for the export: {message}',
  'bundle.busy': 'A bundle of this incident is already being built for another request; showing its progress.',
  'bundle.status.QUEUED': 'Queued',
  'bundle.status.BUILDING': 'Building',
  'bundle.status.READY': 'Ready',
  'bundle.status.FAILED': 'Failed',
  'bundle.queuedText': 'Queued: building starts shortly.',
  'bundle.buildingText': 'Building: evidence file {done} of {total} ({bytes})',
  'bundle.readyText': 'The evidence bundle is ready ({size}). SHA-256: {sha}',
  'bundle.failedText': 'Could not build it: {error}',
  'bundle.progressLabel': 'Progress of the evidence bundle',
  'bundle.download': 'Download',
  'bundle.downloadLabel': 'Download the evidence bundle {name}',
  'bundle.downloading': 'Downloading…',
  'bundle.downloaded': 'Saved {name}.',
  'bundle.downloadFailed': 'Could not download it: {message}',
  'bundle.recent': 'Latest exports',
  'bundle.none': 'No evidence bundle has been exported yet.',
  'bundle.col.requested': 'Requested',
  'bundle.col.scope': 'Scope',
  'bundle.col.by': 'By',
  'bundle.col.status': 'Status',
  'bundle.col.sha': 'SHA-256 (start)',
  'bundle.col.file': 'File',
  'scope.INCIDENT': 'Whole incident',
  'scope.ENGAGEMENT': 'Audit engagement',
  'scope.COUNTERMEASURE': 'Countermeasure',
  'verify.title': 'Check it offline',
  'verify.lead':
    'Open the verifier (verify.html) in a browser and drop a bundle on it: it checks the bundle against the published key fingerprint shown below, with no network. The keys document (keys.json) does the same for the command line (remediation-verify --key).',
  'verify.download': 'Download the verifier (verify.html)',
  'verify.keys': 'The keys document (keys.json)',
  'keys.title': 'Published key fingerprints',
  'keys.trail': 'Audit-trail key',
  'keys.bundle': 'Evidence-bundle key',
  'keys.keyId': 'Key id',
  'keys.fingerprint': 'Fingerprint',
  'keys.since': 'in use since {date}',
};

const DICTIONARIES: Record<Lang, Record<ProofsKey, string>> = { ja, en };

/** Every message of one language (for the test that both languages say the same things). */
export function proofsMessages(lang: Lang): Readonly<Record<ProofsKey, string>> {
  return DICTIONARIES[lang];
}

export type ProofsTranslate = (key: ProofsKey, vars?: Record<string, string | number>) => string;

/** The panel's translator of one language: `{name}` placeholders are filled from `vars`. */
export function proofsTranslator(lang: Lang): ProofsTranslate {
  const dict = DICTIONARIES[lang];
  return (key, vars) => fillPlaceholders(dict[key], vars);
}

/** A label for an enum value of the panel (checkpoint reason, bundle status or scope), or the value itself. */
export function proofsLabel(t: ProofsTranslate, prefix: 'reason' | 'bundle.status' | 'scope', value: string): string {
  const key = `${prefix}.${value}`;
  return key in ja ? t(key as ProofsKey) : value;
}

/** The first 12 hex characters of a SHA-256 (the whole one goes in a tooltip and the download). */
export function shortHash(hex: string): string {
  return hex.slice(0, 12);
}

/** A size in bytes as people read it: 532 B, 12.4 KB, 3.1 MB, 1.0 GB (1000-based, as file managers show). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1000;
    u++;
  } while (v >= 1000 && u < units.length - 1);
  return `${v.toFixed(1)} ${units[u]}`;
}

/** A moment with its year, in Tokyo: 「2026年12月6日 23:01」, "6 Dec 2026 23:01 JST". */
export function formatMoment(lang: Lang, iso: string): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const p = tokyoParts(at);
  const time = `${p.hour}:${p.minute}`;
  if (lang === 'ja') return `${p.year}年${p.month}月${p.day}日 ${time}`;
  return `${p.day} ${MONTHS[Number(p.month) - 1]} ${p.year} ${time} JST`;
}
