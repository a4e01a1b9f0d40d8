import { describe, expect, it } from 'vitest';
import { activityActor, activityText, knownActions } from './activity-words';
import { translator } from './i18n';

const ja = translator('ja');
const en = translator('en');
const entry = (
  action: string,
  entityType: string,
  more: Partial<{ subject: string; fromState: string | null; toState: string | null; decision: string | null; summary: string }> = {},
) => ({
  action,
  entityType,
  subject: 'CM-004 アクセス権限の絞り込み',
  fromState: null,
  toState: null,
  decision: null,
  summary: `server summary of ${action}`,
  ...more,
});

describe('the latest activity in words', () => {
  it('says a status move with the page’s status labels in Japanese and in English, not the codes', () => {
    const moved = entry('countermeasure.status_changed', 'Countermeasure', { fromState: 'REOPENED', toState: 'IN_PROGRESS' });
    expect(activityText('ja', ja, moved)).toBe('CM-004 アクセス権限の絞り込み を「再対応」から「対応中」に変更');
    expect(activityText('en', en, moved)).toBe('Moved CM-004 アクセス権限の絞り込み from “Reopened” to “In progress”');
  });

  it('labels the gate’s states and an audit’s statuses with their own words', () => {
    const gate = entry('gate.state_changed', 'PromotionGate', {
      subject: 'new-customer-promotion',
      fromState: 'SUSPENDED',
      toState: 'ELIGIBLE',
    });
    expect(activityText('ja', ja, gate)).toBe('販売促進ゲートが「停止中」から「再開可能」に');
    const audit = entry('audit_engagement.status_changed', 'AuditEngagement', {
      subject: '外部監査',
      fromState: 'PLANNED',
      toState: 'FIELDWORK',
    });
    expect(activityText('ja', ja, audit)).toBe('監査「外部監査」を「監査計画中」から「実地監査中」に変更');
    expect(activityText('en', en, audit)).toBe('Moved the audit “外部監査” from “Planned” to “Fieldwork”');
  });

  it('says a target’s move with the target’s own labels, and a target edited without a move as progress', () => {
    const target = (fromState: string, toState: string) =>
      entry('countermeasure.target_updated', 'CountermeasureTarget', { fromState, toState });
    expect(activityText('ja', ja, target('PENDING', 'IN_PROGRESS'))).toBe(
      'CM-004 アクセス権限の絞り込み の対象を「未着手」から「対応中」に更新',
    );
    expect(activityText('en', en, target('IN_PROGRESS', 'DONE'))).toBe(
      'Moved a target of CM-004 アクセス権限の絞り込み from “In progress” to “Done”',
    );
    expect(activityText('ja', ja, target('DONE', 'DONE'))).toBe('CM-004 アクセス権限の絞り込み の対象の進捗を更新');
  });

  it('says what a review decided', () => {
    const reviewed = (decision: string | null) => entry('evidence.reviewed', 'Evidence', { subject: 'CM-010 開設記録.pdf', decision });
    expect(activityText('ja', ja, reviewed('ACCEPTED'))).toBe('証跡 CM-010 開設記録.pdf を承認');
    expect(activityText('ja', ja, reviewed('REJECTED'))).toBe('証跡 CM-010 開設記録.pdf を差し戻し');
    expect(activityText('en', en, reviewed('ACCEPTED'))).toBe('Accepted the evidence CM-010 開設記録.pdf');
    expect(activityText('en', en, reviewed(null))).toBe('Reviewed the evidence CM-010 開設記録.pdf');
  });

  it('says an unknown action that moved a status as a move, and any other unknown action as the server summarised it', () => {
    expect(
      activityText('ja', ja, entry('countermeasure.teleported', 'Countermeasure', { fromState: 'PLANNED', toState: 'VERIFIED' })),
    ).toBe('CM-004 アクセス権限の絞り込み を「計画中」から「検証済」に変更');
    expect(activityText('en', en, entry('something.new', 'Thing'))).toBe('server summary of something.new');
  });

  it('names people by their display name, and the system or an integration when no person acted', () => {
    expect(activityActor('ja', { actorName: '鈴木 花子', actorLabel: 'security.lead@example.com' })).toBe('鈴木 花子');
    expect(activityActor('ja', { actorName: null, actorLabel: 'system:date-rules' })).toBe('システム（自動処理）');
    expect(activityActor('en', { actorName: null, actorLabel: 'system:date-rules' })).toBe('System (automatic)');
    expect(activityActor('en', { actorName: null, actorLabel: 'apikey:ci-bot' })).toBe('Integration ci-bot');
  });

  it('has a sentence for the same actions in both languages, each naming its subject or saying what moved when the action concerns one', () => {
    expect(knownActions('en')).toEqual(knownActions('ja'));
    expect(knownActions('ja').length).toBeGreaterThan(50);
    for (const action of knownActions('ja')) {
      for (const [lang, t] of [
        ['ja', ja],
        ['en', en],
      ] as const) {
        const text = activityText(lang, t, entry(action, 'Countermeasure', { fromState: 'PLANNED', toState: 'IN_PROGRESS' }));
        expect(text, `${lang} ${action}`).not.toMatch(/\{|server summary|PLANNED|IN_PROGRESS/);
      }
    }
  });
});
