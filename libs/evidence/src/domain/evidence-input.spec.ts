import { describe, expect, it } from 'vitest';
import type { CountermeasureEntity } from '@app/countermeasures';
import type { EvidenceEntity } from '../evidence.entities';
import { EvidenceError } from './evidence.errors';
import { MAX_EVIDENCE_NAME_LENGTH, MAX_URL_LENGTH } from './evidence-fields';
import { assertLive, assertNotBlockedSignedWork, assertOpenForEvidence, checkEffectiveOn, checkName, checkUrl } from './evidence-input';

function codeOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(EvidenceError);
    return (err as EvidenceError).code;
  }
}

const cm = (status: string, resumeStatus: string | null = null) => ({ seq: 3, status, resumeStatus }) as unknown as CountermeasureEntity;
const evidence = (status: string) => ({ id: 'e1', name: '棚卸し結果.xlsx', status, supersededById: null }) as unknown as EvidenceEntity;

describe('evidence input', () => {
  it('a name is display text: control characters dropped, trimmed, 1 to the maximum of characters (Japanese counted as characters)', () => {
    expect(checkName('  権限\u0000棚卸し\u001f.xlsx \n', 'file name')).toBe('権限棚卸し.xlsx');
    expect(checkName('あ'.repeat(MAX_EVIDENCE_NAME_LENGTH), 'title')).toHaveLength(MAX_EVIDENCE_NAME_LENGTH);
    expect(codeOf(() => checkName('あ'.repeat(MAX_EVIDENCE_NAME_LENGTH + 1), 'title'))).toBe('INVALID_FIELD');
    expect(codeOf(() => checkName(' \u0007 ', 'title'))).toBe('INVALID_FIELD');
  });

  it('a link is an http(s) URL within the length limit, normalized', () => {
    expect(checkUrl(' https://example.test/報告書 ')).toBe('https://example.test/%E5%A0%B1%E5%91%8A%E6%9B%B8');
    expect(checkUrl('http://example.test')).toBe('http://example.test/');
    for (const bad of [
      'ftp://example.test/x',
      'javascript:alert(1)',
      'example.test/x',
      '',
      `https://example.test/${'a'.repeat(MAX_URL_LENGTH)}`,
    ]) {
      expect(codeOf(() => checkUrl(bad))).toBe('INVALID_FIELD');
    }
  });
});

describe('the day evidence speaks for', () => {
  it('is a real calendar day, up to today (2026-12-06 in Japan here), never after it', () => {
    expect(checkEffectiveOn('2026-12-06', '2026-12-06')).toBe('2026-12-06');
    expect(checkEffectiveOn('2024-02-29', '2026-12-06')).toBe('2024-02-29');
    for (const bad of ['2026-12-07', '2027-01-01', '2026-02-29', '2026-13-01', '2026-1-5', '令和8年12月6日', ''])
      expect(codeOf(() => checkEffectiveOn(bad, '2026-12-06'))).toBe('INVALID_FIELD');
  });

  it('names the field and the day in its message', () => {
    expect(() => checkEffectiveOn('2026-12-07', '2026-12-06')).toThrow(/2026-12-07 is after 2026-12-06/);
  });
});

describe('evidence state', () => {
  it('only live (SUBMITTED) evidence is superseded, withdrawn or reviewed', () => {
    expect(codeOf(() => assertLive(evidence('SUBMITTED'), 'reviewed'))).toBeNull();
    expect(codeOf(() => assertLive(evidence('SUPERSEDED'), 'reviewed'))).toBe('EVIDENCE_NOT_LIVE');
    expect(codeOf(() => assertLive(evidence('WITHDRAWN'), 'withdrawn'))).toBe('EVIDENCE_NOT_LIVE');
  });

  it('a CANCELLED countermeasure takes no evidence; every other status does', () => {
    expect(codeOf(() => assertOpenForEvidence(cm('CANCELLED')))).toBe('COUNTERMEASURE_CLOSED');
    for (const s of ['PLANNED', 'IN_PROGRESS', 'IMPLEMENTED', 'VERIFIED', 'REOPENED', 'BLOCKED'])
      expect(codeOf(() => assertOpenForEvidence(cm(s, s === 'BLOCKED' ? 'IN_PROGRESS' : null)))).toBeNull();
  });

  it('signed-off work that is BLOCKED keeps its evidence until it is unblocked; unsigned blocked work does not', () => {
    expect(codeOf(() => assertNotBlockedSignedWork(cm('BLOCKED', 'DEGRADED'), 'withdrawn'))).toBe('COUNTERMEASURE_BLOCKED');
    expect(codeOf(() => assertNotBlockedSignedWork(cm('BLOCKED', 'IN_PROGRESS'), 'withdrawn'))).toBeNull();
    expect(codeOf(() => assertNotBlockedSignedWork(cm('DEGRADED'), 'withdrawn'))).toBeNull();
  });
});
