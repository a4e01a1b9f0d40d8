import { describe, expect, it } from 'vitest';
import { NOTIFICATION_KINDS } from './notification-kinds';
import { absoluteLink, notificationPath } from './notification-links';
import { emailText } from './notification-texts';

describe('where a notification sends its reader (a place on the page at /)', () => {
  it('an item reminder opens the page with that countermeasure highlighted', () => {
    for (const kind of ['DUE_IN_7_DAYS', 'DUE_IN_1_DAY', 'OVERDUE', 'EVIDENCE_GOING_STALE', 'RISK_ACCEPTANCE_EXPIRING'] as const) {
      expect(notificationPath(kind, 'CM-004')).toBe('/?item=CM-004');
    }
  });

  it('evidence waiting for review opens the review queue; gate changes and the digest open the dashboard', () => {
    expect(notificationPath('REVIEW_WAITING', 'CM-002')).toBe('/?view=review');
    expect(notificationPath('GATE_CHANGED', null)).toBe('/');
    expect(notificationPath('WEEKLY_DIGEST', null)).toBe('/');
  });

  it('a risk acceptance of a finding that belongs to no countermeasure opens the dashboard', () => {
    expect(notificationPath('RISK_ACCEPTANCE_EXPIRING', null)).toBe('/');
  });

  it("a PPC report reminder opens the incident's duties section (its deadlines)", () => {
    const incident = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';
    for (const kind of ['BREACH_REPORT_DUE', 'BREACH_REPORT_OVERDUE'] as const) {
      expect(notificationPath(kind, null, incident)).toBe(`/?incident=${incident}#duties`);
      expect(notificationPath(kind, null)).toBe('/#duties');
    }
    expect(absoluteLink('https://example.co.jp/tracker', notificationPath('BREACH_REPORT_DUE', null, incident))).toBe(
      `https://example.co.jp/tracker/?incident=${incident}#duties`,
    );
  });

  it('every kind has a path of this server, the key encoded as a query value', () => {
    for (const kind of NOTIFICATION_KINDS) expect(notificationPath(kind, 'CM-1&x=y', 'a&b')).toMatch(/^\/(\?[^#\s]*)?(#duties)?$/);
    expect(notificationPath('BREACH_REPORT_DUE', null, 'a&b')).toBe('/?incident=a%26b#duties');
    expect(notificationPath('OVERDUE', 'CM-1&x=y')).toBe('/?item=CM-1%26x%3Dy');
  });

  it('the e-mail link is the path under PUBLIC_BASE_URL, a path prefix kept', () => {
    expect(absoluteLink('https://tracker.example.co.jp', '/?item=CM-004')).toBe('https://tracker.example.co.jp/?item=CM-004');
    expect(absoluteLink('https://example.co.jp/tracker', '/?view=review')).toBe('https://example.co.jp/tracker/?view=review');
    expect(absoluteLink('http://127.0.0.1:3000/', '/')).toBe('http://127.0.0.1:3000/');
  });

  it('the e-mail text: body, then the link (only when there is an absolute one), then the footer', () => {
    const n = { kind: 'OVERDUE' as const, body: '本文1\n本文2' };
    expect(emailText(n, 'https://tracker.example.co.jp/?item=CM-004').split('\n')).toEqual([
      '本文1',
      '本文2',
      '',
      '画面で確認する: https://tracker.example.co.jp/?item=CM-004',
      '',
      '--',
      'このメールは是正対策管理システムから自動送信されています。',
      '通知の種類（OVERDUE）ごとに、受信箱とメールの受け取りを setNotificationPreference で変更できます。',
    ]);
    expect(emailText(n, null)).not.toContain('画面で確認する');
    expect(emailText(n, null).startsWith('本文1\n本文2\n\n--\n')).toBe(true);
  });
});
