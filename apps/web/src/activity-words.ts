import { enumLabel, type Lang, type Translate } from './i18n';
import type { ActivityEntry } from './queries';

/**
 * The latest activity in words, in the page's language: who (a person's
 * display name; the system or an integration when no person acted) and what
 * happened, as a sentence with the statuses in the page's own labels, instead
 * of the trail's codes (`countermeasure.status_changed`, `REOPENED →
 * IN_PROGRESS`). An action this page does not know yet shows the server's
 * summary, so nothing is ever hidden.
 *
 * Placeholders: {subject} what it concerns ("CM-004 <title>", an audit's
 * title...), {from} and {to} the status or state moved, in labels.
 */
type Sentences = Readonly<Record<string, string>>;

const JA: Sentences = {
  'incident.created': '事案「{subject}」を登録',
  'incident.updated': '事案「{subject}」の内容を更新',
  'incident.event_added': '事案の経緯を追加',
  'incident.event_updated': '事案の経緯を修正',
  'incident.event_removed': '事案の経緯を削除',
  'incident.system_added': '影響を受けたシステムを追加',
  'incident.system_updated': '影響を受けたシステムを修正',
  'incident.system_removed': '影響を受けたシステムを削除',
  'incident.data_category_added': '漏えいした情報の種類を追加',
  'incident.data_category_updated': '漏えいした情報の種類を修正',
  'incident.data_category_removed': '漏えいした情報の種類を削除',
  'incident.party_added': '関係者を追加',
  'incident.party_updated': '関係者を修正',
  'incident.party_removed': '関係者を削除',
  'countermeasure.created': '対策 {subject} を登録',
  'countermeasure.updated': '{subject} の内容を更新',
  'countermeasure.status_changed': '{subject} を「{from}」から「{to}」に変更',
  'countermeasure.owner_assigned': '{subject} の担当者を変更',
  'countermeasure.contributors_changed': '{subject} の協力者を変更',
  'countermeasure.due_date_changed': '{subject} の期限を変更',
  'countermeasure.gate_relevance_changed': '{subject} を再開条件とするかを変更',
  'countermeasure.requirement_added': '{subject} に証跡の要件を追加',
  'countermeasure.requirement_removed': '{subject} から証跡の要件を削除',
  'countermeasure.parent_changed': '{subject} の上位の対策を変更',
  'countermeasure.dependency_added': '{subject} に前提となる対策を追加',
  'countermeasure.dependency_removed': '{subject} から前提となる対策を削除',
  'countermeasure.targets_changed': '{subject} の対象を変更',
  'countermeasure.target_updated': '{subject} の対象の進捗を更新',
  'countermeasure.target_updated.moved': '{subject} の対象を「{from}」から「{to}」に更新',
  'countermeasure.signed_off': '{subject} を承認（検証済）',
  'countermeasure.sign_off_revoked': '{subject} の承認を取り消し',
  'evidence.submitted': '証跡 {subject} を提出',
  'evidence.superseded': '証跡 {subject} を差し替え',
  'evidence.withdrawn': '証跡 {subject} を取り下げ',
  'evidence.reviewed': '証跡 {subject} をレビュー',
  'evidence.reviewed.ACCEPTED': '証跡 {subject} を承認',
  'evidence.reviewed.REJECTED': '証跡 {subject} を差し戻し',
  'audit_engagement.created': '監査「{subject}」を登録',
  'audit_engagement.updated': '監査「{subject}」の内容を更新',
  'audit_engagement.status_changed': '監査「{subject}」を「{from}」から「{to}」に変更',
  'audit_finding.raised': '監査指摘事項 {subject} を提起',
  'audit_finding.resolved': '監査指摘事項 {subject} を解決済みに',
  'audit_finding.reopened': '監査指摘事項 {subject} を未解決に戻す',
  'audit_finding.countermeasure_created': '監査指摘事項 {subject} への対策を登録',
  'audit_finding.risk_accepted': '監査指摘事項 {subject} のリスクを受容',
  'audit_finding.risk_acceptance_revoked': '監査指摘事項 {subject} のリスク受容を取り消し',
  'audit_finding.risk_acceptance_expired': '監査指摘事項 {subject} のリスク受容が期限切れ',
  'risk_acceptance.accepted': '{subject} のリスクを受容',
  'risk_acceptance.revoked': '{subject} のリスク受容を取り消し',
  'risk_acceptance.expired': '{subject} のリスク受容が期限切れ',
  'audit.cleared': '監査「{subject}」で安全性を確認（監査完了）',
  'audit.clearance_withdrawn': '監査「{subject}」の監査完了を取り消し',
  'gate.created': '販売促進ゲート {subject} を設置',
  'gate.state_changed': '販売促進ゲートが「{from}」から「{to}」に',
  'gate.authorized': '販売促進の再開を承認',
  'gate.held': '販売促進ゲートを経営判断で停止',
  'gate.hold_released': '販売促進ゲートの経営判断による停止を解除',
  'gate.webhook_configured': '販売促進ゲートの通知先を設定',
  moved: '{subject} を「{from}」から「{to}」に変更',
  system: 'システム（自動処理）',
  apiKey: '連携システム {name}',
};

const EN: Sentences = {
  'incident.created': 'Recorded the incident “{subject}”',
  'incident.updated': 'Updated the incident “{subject}”',
  'incident.event_added': 'Added an event to the incident’s history',
  'incident.event_updated': 'Corrected an event of the incident’s history',
  'incident.event_removed': 'Removed an event from the incident’s history',
  'incident.system_added': 'Added an affected system',
  'incident.system_updated': 'Corrected an affected system',
  'incident.system_removed': 'Removed an affected system',
  'incident.data_category_added': 'Added a category of leaked data',
  'incident.data_category_updated': 'Corrected a category of leaked data',
  'incident.data_category_removed': 'Removed a category of leaked data',
  'incident.party_added': 'Added a party to the incident',
  'incident.party_updated': 'Corrected a party to the incident',
  'incident.party_removed': 'Removed a party from the incident',
  'countermeasure.created': 'Added the countermeasure {subject}',
  'countermeasure.updated': 'Updated {subject}',
  'countermeasure.status_changed': 'Moved {subject} from “{from}” to “{to}”',
  'countermeasure.owner_assigned': 'Changed the owner of {subject}',
  'countermeasure.contributors_changed': 'Changed the contributors to {subject}',
  'countermeasure.due_date_changed': 'Changed the due date of {subject}',
  'countermeasure.gate_relevance_changed': 'Changed whether the gate requires {subject}',
  'countermeasure.requirement_added': 'Added an evidence requirement to {subject}',
  'countermeasure.requirement_removed': 'Removed an evidence requirement from {subject}',
  'countermeasure.parent_changed': 'Changed the parent of {subject}',
  'countermeasure.dependency_added': 'Added a prerequisite to {subject}',
  'countermeasure.dependency_removed': 'Removed a prerequisite from {subject}',
  'countermeasure.targets_changed': 'Changed the targets of {subject}',
  'countermeasure.target_updated': 'Updated the progress of a target of {subject}',
  'countermeasure.target_updated.moved': 'Moved a target of {subject} from “{from}” to “{to}”',
  'countermeasure.signed_off': 'Signed off {subject} (verified)',
  'countermeasure.sign_off_revoked': 'Revoked the sign-off of {subject}',
  'evidence.submitted': 'Submitted the evidence {subject}',
  'evidence.superseded': 'Replaced the evidence {subject}',
  'evidence.withdrawn': 'Withdrew the evidence {subject}',
  'evidence.reviewed': 'Reviewed the evidence {subject}',
  'evidence.reviewed.ACCEPTED': 'Accepted the evidence {subject}',
  'evidence.reviewed.REJECTED': 'Rejected the evidence {subject}',
  'audit_engagement.created': 'Planned the audit “{subject}”',
  'audit_engagement.updated': 'Updated the audit “{subject}”',
  'audit_engagement.status_changed': 'Moved the audit “{subject}” from “{from}” to “{to}”',
  'audit_finding.raised': 'Raised the audit finding {subject}',
  'audit_finding.resolved': 'Resolved the audit finding {subject}',
  'audit_finding.reopened': 'Reopened the audit finding {subject}',
  'audit_finding.countermeasure_created': 'Added a countermeasure for the audit finding {subject}',
  'audit_finding.risk_accepted': 'Accepted the risk of the audit finding {subject}',
  'audit_finding.risk_acceptance_revoked': 'Revoked the risk acceptance of the audit finding {subject}',
  'audit_finding.risk_acceptance_expired': 'The risk acceptance of the audit finding {subject} expired',
  'risk_acceptance.accepted': 'Accepted the risk of {subject}',
  'risk_acceptance.revoked': 'Revoked the risk acceptance of {subject}',
  'risk_acceptance.expired': 'The risk acceptance of {subject} expired',
  'audit.cleared': 'Cleared the audit “{subject}” (safety confirmed)',
  'audit.clearance_withdrawn': 'Withdrew the clearance of the audit “{subject}”',
  'gate.created': 'Set up the sales-promotion gate {subject}',
  'gate.state_changed': 'The sales-promotion gate went from {from} to {to}',
  'gate.authorized': 'Authorized the reopening of sales promotion',
  'gate.held': 'Held the sales-promotion gate by an executive decision',
  'gate.hold_released': 'Released the executive hold on the sales-promotion gate',
  'gate.webhook_configured': 'Set where the sales-promotion gate sends its notices',
  moved: 'Moved {subject} from “{from}” to “{to}”',
  system: 'System (automatic)',
  apiKey: 'Integration {name}',
};

const SENTENCES: Record<Lang, Sentences> = { ja: JA, en: EN };

type Entry = Pick<ActivityEntry, 'action' | 'entityType' | 'summary' | 'subject' | 'fromState' | 'toState' | 'decision'>;

/** The label of a status or state, by what moved: a countermeasure's status, a target's, an audit's, the gate's state. */
export function stateLabel(t: Translate, entityType: string, value: string): string {
  if (entityType === 'PromotionGate') return enumLabel(t, 'gate.state', value);
  if (entityType === 'AuditEngagement') return enumLabel(t, 'audit.status', value);
  if (entityType === 'CountermeasureTarget') return enumLabel(t, 'target.status', value);
  return enumLabel(t, 'status', value);
}

function fill(sentence: string, vars: Record<string, string>): string {
  return sentence.replace(/\{(\w+)\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** What happened, as a sentence in `lang`. */
export function activityText(lang: Lang, t: Translate, e: Entry): string {
  const words = SENTENCES[lang];
  // A move to the same state (a target's note edited, say) is no move.
  const moved = !!e.fromState && !!e.toState && e.fromState !== e.toState;
  const from = moved ? stateLabel(t, e.entityType, e.fromState!) : '';
  const to = moved ? stateLabel(t, e.entityType, e.toState!) : '';
  const vars = { subject: e.subject, from, to };
  const sentence =
    (e.decision ? words[`${e.action}.${e.decision}`] : undefined) ?? (moved ? words[`${e.action}.moved`] : undefined) ?? words[e.action];
  if (sentence && (!sentence.includes('{from}') || moved)) return fill(sentence, vars);
  if (moved) return fill(words.moved!, vars);
  return e.summary;
}

/** Who acted: the person's display name; the system or an integration (API key) when no person did. */
export function activityActor(lang: Lang, e: Pick<ActivityEntry, 'actorName' | 'actorLabel'>): string {
  if (e.actorName) return e.actorName;
  const words = SENTENCES[lang];
  if (e.actorLabel.startsWith('system:')) return words.system!;
  if (e.actorLabel.startsWith('apikey:')) return fill(words.apiKey!, { name: e.actorLabel.slice('apikey:'.length) });
  return e.actorLabel;
}

/** Every action that has a sentence (both languages have the same ones: a spec holds them to it). */
export function knownActions(lang: Lang): string[] {
  return Object.keys(SENTENCES[lang]).filter((k) => k.includes('.') && !/\.(ACCEPTED|REJECTED|moved)$/.test(k));
}
