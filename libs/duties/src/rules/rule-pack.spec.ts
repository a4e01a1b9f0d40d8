import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { packInEffect, parseRulePack, RulePackInvalid } from './rule-pack';
import { readRulePacks, rulePackDir } from './rule-packs';

const dir = rulePackDir();
const first = JSON.parse(fs.readFileSync(path.join(dir, 'appi-ppc@2024-04-01.json'), 'utf8')) as Record<string, unknown>;

function withTempPacks(files: Record<string, unknown>): string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rule-packs-'));
  for (const [name, body] of Object.entries(files))
    fs.writeFileSync(path.join(tmp, name), typeof body === 'string' ? body : JSON.stringify(body));
  return tmp;
}

describe('rule packs: versioned files read at start', () => {
  it('the repository holds appi-ppc@2024-04-01 with the four cases, 5/30/60 days and the Tokyo day count', () => {
    const [pack] = readRulePacks(dir).filter((p) => p.id === 'appi-ppc@2024-04-01');
    expect(pack.effectiveFrom).toBe('2024-04-01');
    expect(pack.timeZone).toBe('Asia/Tokyo');
    expect(pack.cases.map((c) => [c.no, c.code])).toEqual([
      [1, 'SENSITIVE_DATA'],
      [2, 'FINANCIAL_DAMAGE'],
      [3, 'UNLAWFUL_PURPOSE'],
      [4, 'OVER_THRESHOLD'],
    ]);
    expect(pack.cases[3]).toMatchObject({ minIndividualsAbove: 1000, derivedFromCount: true });
    expect(pack.filings.PRELIMINARY).toMatchObject({ days: 5, binding: false });
    expect(pack.filings.FINAL).toMatchObject({ days: 30, binding: true, daysWhenCase: { UNLAWFUL_PURPOSE: 60 } });
    expect(pack.filings.SUPPLEMENT.days).toBeNull();
  });

  it('a later pack changes the numbers without code: it applies from its effective day, the old one before', () => {
    const later = {
      ...first,
      id: 'appi-ppc@2027-04-01',
      effectiveFrom: '2027-04-01',
      filings: { ...(first.filings as object), FINAL: { ...(first.filings as Record<string, object>).FINAL, days: 45 } },
    };
    const packs = readRulePacks(withTempPacks({ 'appi-ppc@2024-04-01.json': first, 'appi-ppc@2027-04-01.json': later }));
    expect(packInEffect(packs, '2027-03-31')?.id).toBe('appi-ppc@2024-04-01');
    expect(packInEffect(packs, '2027-04-01')?.filings.FINAL.days).toBe(45);
    expect(packInEffect(packs, '2024-03-31')).toBeNull();
  });

  it('a pack that does not hold together stops the start, naming the file and the field', () => {
    const cases = [
      [{ ...first, effectiveFrom: '2024-13-01' }, 'effectiveFrom'],
      [{ ...first, id: 'appi-ppc@2025-01-01' }, 'id'],
      [{ ...first, timeZone: 'Mars/Olympus' }, 'timeZone'],
      [{ ...first, dayCount: { unit: 'BUSINESS_DAY', knowledgeDayNumber: 1, note: 'x' } }, 'dayCount.unit'],
      [
        { ...first, filings: { ...(first.filings as object), FINAL: { ...(first.filings as Record<string, object>).FINAL, days: -1 } } },
        'filings.FINAL.days',
      ],
      [
        {
          ...first,
          filings: {
            ...(first.filings as object),
            FINAL: { ...(first.filings as Record<string, object>).FINAL, daysWhenCase: { NOPE: 60 } },
          },
        },
        'filings.FINAL.daysWhenCase.NOPE',
      ],
    ] as const;
    for (const [raw, field] of cases) {
      const err = (() => {
        try {
          parseRulePack(raw, 'x.json');
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, field).toBeInstanceOf(RulePackInvalid);
      expect((err as RulePackInvalid).field).toBe(field);
      expect((err as Error).message).toContain('x.json');
    }
    expect(() => readRulePacks(withTempPacks({ 'wrong-name.json': first }))).toThrow(/match the file's name/);
    expect(() => readRulePacks(withTempPacks({ 'a.json': '{not json' }))).toThrow(/not JSON/);
  });
});
