import { addDays, CASE_TIME_ZONE, todayIn } from '@app/common';

/**
 * When a step of the demo's story happened, on the case's clock (Japan time):
 * - a moment of the case, `'2026-07-10T10:00'`: the steps the letter and the
 *   case's fixed dates (detection, disclosure, due dates, evidence dates) pin;
 * - `{ daysAgo, at }` for the latest steps: that many days before the day the
 *   demo is loaded, so that the story always ends a few days ago, whatever
 *   day that is.
 */
export type StoryTime = string | { daysAgo: number; at: string };

/** Japan keeps no daylight-saving time. */
const JST = '+09:00';
const MOMENT = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/;
const TIME = /^\d{2}:\d{2}$/;

/** Two steps of the story are at least this far apart (and the last this far before now): room for the readings of one step. */
export const STORY_STEP_MS = 60_000;

/** The instant of a story time, `today` being the day (Asia/Tokyo) the demo is loaded. */
export function storyInstant(t: StoryTime, today: string): Date {
  if (typeof t === 'string') {
    const m = MOMENT.exec(t);
    if (!m) throw new Error(`a story time is YYYY-MM-DDTHH:mm (Japan time); got "${t}"`);
    return checked(new Date(`${m[1]}T${m[2]}:00.000${JST}`), t);
  }
  if (!Number.isInteger(t.daysAgo) || t.daysAgo < 0 || !TIME.test(t.at))
    throw new Error(`a relative story time is { daysAgo >= 0, at: "HH:mm" }; got ${JSON.stringify(t)}`);
  return checked(new Date(`${addDays(today, -t.daysAgo)}T${t.at}:00.000${JST}`), JSON.stringify(t));
}

function checked(d: Date, what: string): Date {
  if (Number.isNaN(d.getTime())) throw new Error(`not a real story time: ${what}`);
  return d;
}

export type Scheduled<T> = T & { when: Date };

/**
 * The steps in the order they happened, each with the instant it runs at:
 *
 * 1. each step's nominal instant: a fixed moment as written; a relative one
 *    counted back from today, but never before the last fixed moment (the
 *    story's recent end comes after its fixed part, whatever day it is);
 * 2. steps sorted by that instant, steps at the same instant kept in the
 *    order given (so "create" before "move" when both say 10:00);
 * 3. each step at least STORY_STEP_MS after the one before (distinct times:
 *    the history of one item is never ambiguous), and the last at least
 *    STORY_STEP_MS before `now`, earlier steps pulled back as needed: nothing
 *    is ever dated in the future, even when the demo is loaded before the
 *    story's fixed moments (then the story is compressed before now).
 *
 * Pure: the instants only depend on the steps and `now`.
 */
export function scheduleStory<T extends { at: StoryTime }>(steps: readonly T[], now: Date): Scheduled<T>[] {
  const today = todayIn(CASE_TIME_ZONE, now);
  const fixed = steps.filter((s) => typeof s.at === 'string').map((s) => storyInstant(s.at, today).getTime());
  const fixedEnd = fixed.length ? Math.max(...fixed) : -Infinity;
  const nominal = steps.map((s, i) => ({
    step: s,
    i,
    ms: typeof s.at === 'string' ? storyInstant(s.at, today).getTime() : Math.max(storyInstant(s.at, today).getTime(), fixedEnd),
  }));
  nominal.sort((a, b) => a.ms - b.ms || a.i - b.i);
  const ms = nominal.map((n) => n.ms);
  for (let i = 1; i < ms.length; i++) ms[i] = Math.max(ms[i]!, ms[i - 1]! + STORY_STEP_MS);
  let limit = now.getTime();
  for (let i = ms.length - 1; i >= 0; i--) {
    limit = Math.min(ms[i]!, limit - STORY_STEP_MS);
    ms[i] = limit;
  }
  return nominal.map((n, k) => ({ ...n.step, when: new Date(ms[k]!) }));
}
