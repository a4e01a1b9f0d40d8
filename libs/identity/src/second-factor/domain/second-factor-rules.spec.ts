import { describe, expect, it } from 'vitest';
import { CommonErrorCode, type DomainError } from '@app/common';
import { IdentityErrorCode } from '../../domain/identity.errors';
import { SessionState } from '../../sessions/second-factor';
import { assertMayEnrol, assertRemovalAllowed, normalizeFactorLabel } from './second-factor-rules';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return (err as DomainError).code;
  }
}

describe('a factor label', () => {
  it('keeps Japanese text, NFC and trimmed', () => {
    expect(normalizeFactorLabel('  業務用 iPhone  ')).toBe('業務用 iPhone');
    expect(normalizeFactorLabel('ガ')).toBe('ガ'); // カ + combining dakuten → one character
  });

  it('counts characters, not UTF-16 units: 100 emoji are allowed, 101 are not', () => {
    expect(normalizeFactorLabel('🔑'.repeat(100))).toBe('🔑'.repeat(100));
    expect(codeOf(() => normalizeFactorLabel('🔑'.repeat(101)))).toBe(CommonErrorCode.INVALID_INPUT);
  });

  it('refuses blank labels and control characters', () => {
    for (const label of ['', '   ', '\u3000', 'a\nb', 'tab\there']) {
      expect(codeOf(() => normalizeFactorLabel(label))).toBe(CommonErrorCode.INVALID_INPUT);
    }
  });
});

describe('removing a factor', () => {
  it('refuses the last factor when the role requires one, allows it otherwise', () => {
    expect(codeOf(() => assertRemovalAllowed({ remaining: 0, required: true }))).toBe(IdentityErrorCode.LAST_SECOND_FACTOR);
    expect(codeOf(() => assertRemovalAllowed({ remaining: 0, required: false }))).toBeUndefined();
    expect(codeOf(() => assertRemovalAllowed({ remaining: 1, required: true }))).toBeUndefined();
  });
});

describe('enrolling a factor', () => {
  const base = { maxAgeSeconds: 300 };
  it('a user without a factor may enrol from any session state (ENROLMENT_PENDING is for that)', () => {
    for (const state of Object.values(SessionState)) {
      expect(codeOf(() => assertMayEnrol({ ...base, state, hasFactor: false, proofFresh: false }))).toBeUndefined();
    }
  });

  it('a user with a factor must have proved it first: a password-only session cannot add its own', () => {
    expect(codeOf(() => assertMayEnrol({ ...base, state: SessionState.SECOND_FACTOR_PENDING, hasFactor: true, proofFresh: false }))).toBe(
      IdentityErrorCode.SECOND_FACTOR_REQUIRED,
    );
    expect(codeOf(() => assertMayEnrol({ ...base, state: SessionState.ENROLMENT_PENDING, hasFactor: true, proofFresh: false }))).toBe(
      IdentityErrorCode.SECOND_FACTOR_REQUIRED,
    );
  });

  it('and recently: an active session with a stale proof is asked to step up', () => {
    expect(codeOf(() => assertMayEnrol({ ...base, state: SessionState.ACTIVE, hasFactor: true, proofFresh: false }))).toBe(
      IdentityErrorCode.STEP_UP_REQUIRED,
    );
    expect(codeOf(() => assertMayEnrol({ ...base, state: SessionState.ACTIVE, hasFactor: true, proofFresh: true }))).toBeUndefined();
  });
});
