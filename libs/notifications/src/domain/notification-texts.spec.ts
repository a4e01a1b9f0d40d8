import { describe, expect, it } from 'vitest';
import { dedupeKey, defaultPreference, isNotificationKind, NOTIFICATION_KINDS } from './notification-kinds';
import {
  digestText,
  dueText,
  gateChangedText,
  goingStaleText,
  overdueText,
  reviewWaitingText,
  riskExpiringText,
} from './notification-texts';

describe('the words of each reminder (Japanese, from the facts)', () => {
  const due = { countermeasureKey: 'CM-004', title: 'アクセス権限の絞り込み', dueDate: '2026-12-01', ownerName: '鈴木 花子' };

  it('says how many days are left, "tomorrow" and "today" included', () => {
    expect(dueText('DUE_IN_7_DAYS', { ...due, daysLeft: 7 }).title).toBe('CM-004「アクセス権限の絞り込み」の期限まであと7日（2026-12-01）');
    expect(dueText('DUE_IN_1_DAY', { ...due, daysLeft: 1 }).title).toBe('CM-004「アクセス権限の絞り込み」の期限は明日（2026-12-01）です');
    expect(dueText('DUE_IN_1_DAY', { ...due, daysLeft: 0 }).title).toBe('CM-004「アクセス権限の絞り込み」の期限は本日（2026-12-01）です');
    expect(dueText('DUE_IN_1_DAY', { ...due, daysLeft: 1 }).body).toContain('期限を変更してください');
  });

  it('says by how many days an item is late, and who owns it', () => {
    const text = overdueText({ ...due, daysLeft: -3 });
    expect(text.title).toBe('CM-004「アクセス権限の絞り込み」が期限（2026-12-01）を3日過ぎています');
    expect(text.body).toContain('担当: 鈴木 花子');
  });

  it('names the evidence, its uploader and how long it has waited', () => {
    const text = reviewWaitingText({
      countermeasureKey: 'CM-002',
      countermeasureTitle: '監視の強化',
      requirementTitle: '監視設定',
      evidenceName: '設定画面.png',
      uploadedByLabel: 'systems.lead@example.com',
      uploadedOn: '2026-11-20',
      waitingDays: 5,
    });
    expect(text.title).toBe('証跡「設定画面.png」が5日間審査を待っています（CM-002）');
    expect(text.body).toContain('2026-11-20 に systems.lead@example.com によって提出されてから5日間');
  });

  it('says when recurring evidence turns stale and what follows', () => {
    const text = goingStaleText({
      countermeasureKey: 'CM-006',
      title: '24時間監視',
      requirementTitle: '月次監視レポート',
      recurrenceDays: 30,
      latestAcceptedEffectiveOn: '2026-10-31',
      staleOn: '2026-12-01',
      daysLeft: 1,
    });
    expect(text.title).toBe('CM-006 の要件「月次監視レポート」の証跡が明日（2026-12-01）に期限切れになります');
    expect(text.body).toContain('DEGRADED');
  });

  it('says which acceptance ends and when', () => {
    const text = riskExpiringText({
      subject: '指摘 F-001「権限の過剰付与」',
      expiresOn: '2026-12-03',
      daysLeft: 3,
      acceptedByLabel: 'president@example.com',
      justification: '代替統制あり',
    });
    expect(text.title).toBe('指摘 F-001「権限の過剰付与」のリスク受容があと3日（2026-12-03）で終了します');
  });

  it('words a gate change with the states in Japanese', () => {
    const text = gateChangedText({
      gateKey: 'new-customer-promotion',
      gateName: '新規顧客向け販促',
      fromState: 'OPEN',
      toState: 'SUSPENDED',
      cause: 'RULES_BROKEN',
      reason: 'CM-004 moved VERIFIED → REOPENED',
      at: '2026-11-20 10:02',
    });
    expect(text.title).toBe('販売促進の再開判定「新規顧客向け販促」が停止中になりました');
    expect(text.body).toContain('再開 → 停止中');
    expect(text.body).toContain('契機: 条件の不成立');
    expect(text.body).toContain('新規顧客への販売促進は再開できません');
  });

  it('summarises the week: verified, slipped, newly late, the gate and its blockers', () => {
    const text = digestText({
      weekStart: '2026-11-16',
      weekEnd: '2026-11-22',
      verified: [{ countermeasureKey: 'CM-001', title: '旧システム停止', day: '2026-11-18' }],
      slipped: [{ countermeasureKey: 'CM-003', title: 'ログ保管', oldDueDate: '2026-11-30', newDueDate: '2026-12-31', reason: '納期遅延' }],
      newlyOverdue: [],
      overdueNow: 1,
      gates: [{ key: 'new-customer-promotion', name: '新規顧客向け販促', state: 'SUSPENDED', blockers: ['監査が完了していません'] }],
    });
    expect(text.title).toBe('週次サマリー（2026-11-16〜2026-11-22）: 検証済み1件・遅延1件');
    expect(text.body.split('\n')).toEqual([
      '対象期間: 2026-11-16〜2026-11-22',
      '',
      '■ 検証済みになった対策: 1件',
      '  ・CM-001「旧システム停止」（2026-11-18）',
      '',
      '■ 期限が延びた対策: 1件',
      '  ・CM-003「ログ保管」 2026-11-30 → 2026-12-31（理由: 納期遅延）',
      '',
      '■ 今週新たに期限を過ぎた対策: 0件（期限超過は現在 合計1件）',
      '',
      '■ 販売促進の再開判定',
      '  ・新規顧客向け販促（new-customer-promotion）: 停止中',
      '      - 監査が完了していません',
    ]);
  });
});

describe('kinds, defaults and dedupe keys', () => {
  it('knows the ten kinds and nothing else', () => {
    expect(NOTIFICATION_KINDS).toHaveLength(10);
    expect(isNotificationKind('OVERDUE')).toBe(true);
    expect(isNotificationKind('overdue')).toBe(false);
  });

  it('without a choice, a user gets every kind in the inbox and by e-mail', () => {
    for (const kind of NOTIFICATION_KINDS) expect(defaultPreference(kind)).toEqual({ inbox: true, email: true });
  });

  it('builds one key per (kind, subject, period): a moved due date is a new period', () => {
    expect(dedupeKey('OVERDUE', 'cm-1', '2026-12-01')).not.toBe(dedupeKey('OVERDUE', 'cm-1', '2026-12-15'));
    expect(dedupeKey('REVIEW_WAITING', 'ev-1')).toBe('REVIEW_WAITING:ev-1');
  });
});
