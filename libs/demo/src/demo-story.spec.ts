import { describe, expect, it } from 'vitest';
import { DEMO_AUDIT, DEMO_COUNTERMEASURES, DEMO_EVIDENCE, DEMO_IMPLEMENTED, DEMO_INCIDENT, DEMO_SETUP, DEMO_SIGN_OFFS } from './demo-case';
import { scheduleStory, STORY_STEP_MS, storyInstant, type StoryTime } from './demo-story';

const iso = (d: Date) => d.toISOString();

describe('story times', () => {
  it('reads a moment of the case in Japan time, and a relative one back from the day the demo is loaded', () => {
    expect(iso(storyInstant('2026-07-10T09:00', '2026-11-26'))).toBe('2026-07-10T00:00:00.000Z');
    expect(iso(storyInstant({ daysAgo: 2, at: '16:00' }, '2026-11-26'))).toBe('2026-11-24T07:00:00.000Z');
    expect(() => storyInstant('2026-07-10 09:00', '2026-11-26')).toThrow(/YYYY-MM-DDTHH:mm/);
    expect(() => storyInstant({ daysAgo: -1, at: '16:00' }, '2026-11-26')).toThrow(/daysAgo/);
  });
});

describe('scheduleStory', () => {
  const now = new Date('2026-11-26T03:00:00.000Z'); // 12:00 in Tokyo

  it('orders the steps by their time, keeps the given order for equal times, and spaces them apart', () => {
    const steps: { at: StoryTime; id: string }[] = [
      { at: '2026-07-10T10:00', id: 'plan-1' },
      { at: '2026-07-10T13:00', id: 'start-1' },
      { at: '2026-07-10T10:00', id: 'plan-2' },
      { at: '2026-07-10T09:00', id: 'incident' },
    ];
    const s = scheduleStory(steps, now);
    expect(s.map((x) => x.id)).toEqual(['incident', 'plan-1', 'plan-2', 'start-1']);
    expect(s.map((x) => iso(x.when))).toEqual([
      '2026-07-10T00:00:00.000Z',
      '2026-07-10T01:00:00.000Z',
      '2026-07-10T01:01:00.000Z',
      '2026-07-10T04:00:00.000Z',
    ]);
  });

  it('puts the relative steps days before today, but never before the fixed part of the story', () => {
    const steps: { at: StoryTime; id: string }[] = [
      { at: { daysAgo: 2, at: '16:00' }, id: 'recent' },
      { at: '2026-11-05T10:00', id: 'fixed' },
      { at: { daysAgo: 60, at: '16:00' }, id: 'long-ago' },
    ];
    const s = scheduleStory(steps, now);
    expect(s.map((x) => x.id)).toEqual(['fixed', 'long-ago', 'recent']);
    expect(s.map((x) => iso(x.when))).toEqual(['2026-11-05T01:00:00.000Z', '2026-11-05T01:01:00.000Z', '2026-11-24T07:00:00.000Z']);
  });

  it('never dates a step in the future: loaded before the story’s moments, the story is compressed before now, in order', () => {
    const early = new Date('2026-07-10T02:00:00.000Z'); // 11:00 in Tokyo, before the 13:00 and August steps
    const steps: { at: StoryTime; id: string }[] = [
      { at: '2026-07-10T09:00', id: 'a' },
      { at: '2026-07-10T13:00', id: 'b' },
      { at: '2026-08-03T10:00', id: 'c' },
      { at: { daysAgo: 0, at: '23:00' }, id: 'd' },
    ];
    const s = scheduleStory(steps, early);
    expect(s.map((x) => x.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(s.at(-1)!.when.getTime()).toBe(early.getTime() - STORY_STEP_MS);
    for (let i = 1; i < s.length; i++) expect(s[i]!.when.getTime() - s[i - 1]!.when.getTime()).toBeGreaterThanOrEqual(STORY_STEP_MS);
    expect(iso(s[0]!.when)).toBe('2026-07-10T00:00:00.000Z');
  });
});

/**
 * The case's story, scheduled as the loader schedules it: its steps keep the
 * workflow's order (the loader would fail otherwise), on the real today and on
 * a day long after.
 */
describe.each([
  ['today', new Date()],
  ['a year on', new Date('2027-11-26T03:00:00.000Z')],
])('the demo case’s story, loaded %s', (_label, now) => {
  type Tag = { at: StoryTime; tag: string };
  const tags: Tag[] = [
    { at: DEMO_SETUP.usersAt, tag: 'users' },
    { at: DEMO_SETUP.incidentAt, tag: 'incident' },
    { at: DEMO_SETUP.gateAt, tag: 'gate' },
    ...DEMO_COUNTERMEASURES.flatMap((d, i) => [
      { at: DEMO_SETUP.planAt, tag: `plan-${i + 1}` },
      ...d.moves.map((m, k) => ({ at: m.at, tag: `move-${i + 1}-${k}` })),
      ...(d.targetsAt ? [{ at: d.targetsAt, tag: `targets-${i + 1}` }] : []),
      ...(d.targets ?? []).flatMap((t, k) => (t.at ? [{ at: t.at, tag: `target-${i + 1}-${k}` }] : [])),
    ]),
    ...DEMO_EVIDENCE.flatMap((e, k) => [
      { at: e.submittedAt, tag: `evidence-${k}` },
      ...(e.review ? [{ at: e.review.at, tag: `review-${k}` }] : []),
    ]),
    ...DEMO_IMPLEMENTED.map((x) => ({ at: x.at, tag: `implemented-${x.countermeasure}` })),
    ...DEMO_SIGN_OFFS.map((x) => ({ at: x.at, tag: `sign-off-${x.countermeasure}` })),
    { at: DEMO_AUDIT.commissionedAt, tag: 'audit' },
    ...DEMO_AUDIT.moves.map((m, k) => ({ at: m.at, tag: `audit-move-${k}` })),
    ...DEMO_AUDIT.findings.map((f, k) => ({ at: f.at, tag: `finding-${k}` })),
  ];
  const scheduled = scheduleStory(tags, now);
  const when = new Map(scheduled.map((s) => [s.tag, s.when.getTime()]));
  const t = (tag: string) => {
    const v = when.get(tag);
    if (v === undefined) throw new Error(`no step ${tag}`);
    return v;
  };
  const day = (ms: number) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo' }).format(new Date(ms));

  it('starts after the incident was detected, with the accounts, then the incident, then the plan, then the gate', () => {
    expect(day(t('users')) > DEMO_INCIDENT.detectedOn).toBe(true);
    expect(t('users')).toBeLessThan(t('incident'));
    expect(t('incident')).toBeLessThan(Math.min(...DEMO_COUNTERMEASURES.map((_, i) => t(`plan-${i + 1}`))));
    expect(Math.max(...DEMO_COUNTERMEASURES.map((_, i) => t(`plan-${i + 1}`)))).toBeLessThan(t('gate'));
  });

  it('ends a few days before today, nothing after now', () => {
    const last = scheduled.at(-1)!.when.getTime();
    expect(last).toBeLessThan(now.getTime());
    expect(now.getTime() - last).toBeLessThan(7 * 86_400_000);
  });

  it('keeps each countermeasure’s order: planned, then its moves; evidence after the work started and not before its day; a review after the submission', () => {
    DEMO_COUNTERMEASURES.forEach((d, i) => {
      let previous = t(`plan-${i + 1}`);
      d.moves.forEach((_, k) => {
        expect(t(`move-${i + 1}-${k}`)).toBeGreaterThan(previous);
        previous = t(`move-${i + 1}-${k}`);
      });
      if (d.targetsAt) expect(t(`targets-${i + 1}`)).toBeGreaterThan(t(`plan-${i + 1}`));
      (d.targets ?? []).forEach((x, k) => x.at && expect(t(`target-${i + 1}-${k}`)).toBeGreaterThan(t(`targets-${i + 1}`)));
    });
    DEMO_EVIDENCE.forEach((e, k) => {
      expect(t(`evidence-${k}`)).toBeGreaterThan(t(`move-${e.countermeasure}-0`));
      expect(day(t(`evidence-${k}`)) >= e.effectiveOn).toBe(true);
      if (e.review) expect(t(`review-${k}`)).toBeGreaterThan(t(`evidence-${k}`));
    });
  });

  it('implements a countermeasure once all its evidence is in, and signs it off once implemented and its evidence accepted', () => {
    for (const { countermeasure: n } of DEMO_IMPLEMENTED) {
      const own = DEMO_EVIDENCE.map((e, k) => ({ e, k })).filter(({ e }) => e.countermeasure === n);
      expect(new Set(own.map(({ e }) => e.requirement)).size).toBe(DEMO_COUNTERMEASURES[n - 1]!.requirements.length);
      for (const { k } of own) expect(t(`implemented-${n}`)).toBeGreaterThan(t(`evidence-${k}`));
    }
    for (const { countermeasure: n } of DEMO_SIGN_OFFS) {
      expect(t(`sign-off-${n}`)).toBeGreaterThan(t(`implemented-${n}`));
      DEMO_EVIDENCE.forEach((e, k) => e.countermeasure === n && expect(t(`sign-off-${n}`)).toBeGreaterThan(t(`review-${k}`)));
    }
  });

  it('raises the findings during the audit’s fieldwork, after it was commissioned, and signs CM-001 off during fieldwork', () => {
    expect(t('audit-move-0')).toBeGreaterThan(t('audit'));
    expect(day(t('audit-move-0')) >= DEMO_AUDIT.startsOn).toBe(true);
    DEMO_AUDIT.findings.forEach((_, k) => expect(t(`finding-${k}`)).toBeGreaterThan(t('audit-move-0')));
    expect(t('sign-off-1')).toBeGreaterThan(t('audit-move-0'));
  });
});
