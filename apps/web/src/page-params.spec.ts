import { describe, expect, it } from 'vitest';
import { dayToRequest, isCalendarDay, readPageParams, todayInTokyo, withAsOf } from './page-params';

describe('the page’s address', () => {
  it('opens the day, the item and the view it names', () => {
    expect(readPageParams('?asOf=2026-10-01&item=CM-004&view=review')).toEqual({
      asOf: '2026-10-01',
      asOfUnusable: null,
      item: 'CM-004',
      view: 'review',
      incident: null,
    });
    expect(readPageParams('')).toEqual({ asOf: null, asOfUnusable: null, item: null, view: null, incident: null });
    // The PPC report reminders' links: that incident's page, not the most recent incident's.
    expect(readPageParams('?incident=4FAD99DB-570C-49DC-9A74-01DB0B885731').incident).toBe('4fad99db-570c-49dc-9a74-01db0b885731');
    expect(readPageParams('?item=cm-012')).toMatchObject({ item: 'CM-012' });
  });

  it('ignores values it cannot use rather than sending them to the server', () => {
    expect(readPageParams('?asOf=2026-02-30')).toMatchObject({ asOf: null, asOfUnusable: '2026-02-30' }); // no such day: the page says so
    expect(readPageParams('?asOf=yesterday').asOf).toBeNull();
    expect(readPageParams('?asOf=2026-10-01T00:00').asOf).toBeNull();
    expect(readPageParams('?item=%3Cscript%3E').item).toBeNull();
    expect(readPageParams(`?item=CM-${'9'.repeat(40)}`).item).toBeNull();
    expect(readPageParams('?view=admin').view).toBeNull();
    expect(readPageParams('?incident=1%20OR%201%3D1').incident).toBeNull();
    expect(readPageParams('?incident=4fad99db-570c-49dc-9a74').incident).toBeNull();
  });

  it('writes the chosen day into the address, keeping the rest; today removes it', () => {
    expect(withAsOf('http://host/?item=CM-004#top', '2026-10-01')).toBe('/?item=CM-004&asOf=2026-10-01#top');
    expect(withAsOf('http://host/?asOf=2026-10-01&view=review', '2026-09-30')).toBe('/?asOf=2026-09-30&view=review');
    expect(withAsOf('http://host/?asOf=2026-10-01&view=review', null)).toBe('/?view=review');
    expect(withAsOf('http://host/?asOf=2026-10-01', null)).toBe('/');
  });

  it('knows the calendar', () => {
    expect(isCalendarDay('2028-02-29')).toBe(true);
    expect(isCalendarDay('2026-02-29')).toBe(false);
    expect(isCalendarDay('2026-13-01')).toBe(false);
  });

  it('counts days in Tokyo: 15:00 UTC is already tomorrow there', () => {
    expect(todayInTokyo(new Date('2026-10-01T14:59:59Z'))).toBe('2026-10-01');
    expect(todayInTokyo(new Date('2026-10-01T15:00:00Z'))).toBe('2026-10-02');
  });

  it('asks for today (live) for today or later, and never for a day before the incident', () => {
    const today = '2026-11-26';
    expect(dayToRequest('2026-10-01', '2026-06-22', today)).toBe('2026-10-01');
    expect(dayToRequest(today, '2026-06-22', today)).toBeNull();
    expect(dayToRequest('2026-12-01', '2026-06-22', today)).toBeNull();
    expect(dayToRequest('', '2026-06-22', today)).toBeNull();
    expect(dayToRequest('2026-01-01', '2026-06-22', today)).toBe('2026-06-22');
    expect(dayToRequest('2026-01-01', null, today)).toBe('2026-01-01'); // the server decides until the first day is known
  });
});
