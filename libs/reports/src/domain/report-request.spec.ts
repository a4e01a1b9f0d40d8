import { describe, expect, it } from 'vitest';
import { CommonError } from '@app/common';
import { IncidentError } from '@app/incidents';
import { namedIncidentId, onlyIncident } from './report-request';

const ID = '0B9D6C1E-3F0A-4C5E-9A57-3C1F2E4D5B6A';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a refusal');
}

describe('which incident a status report is on', () => {
  it('takes the incident named by ?incidentId=, lower-cased; none named is null', () => {
    expect(namedIncidentId(ID)).toBe(ID.toLowerCase());
    expect(namedIncidentId(undefined)).toBeNull();
    expect(namedIncidentId(null)).toBeNull();
    expect(namedIncidentId('')).toBeNull();
  });

  it.each(['CM-001', "1' OR '1'='1", `${ID}x`, '0b9d6c1e3f0a4c5e9a573c1f2e4d5b6a'])('refuses %j as INVALID_INPUT on incidentId', (bad) => {
    const err = thrown(() => namedIncidentId(bad));
    expect(err).toBeInstanceOf(CommonError);
    expect((err as CommonError).code).toBe('INVALID_INPUT');
    expect((err as CommonError).details).toEqual({ field: 'incidentId' });
  });

  it('with none named, reports on the only incident; none is INCIDENT_NOT_FOUND, several must be named (INVALID_INPUT)', () => {
    expect(onlyIncident(['a'])).toBe('a');
    const none = thrown(() => onlyIncident([]));
    expect(none).toBeInstanceOf(IncidentError);
    expect((none as IncidentError).code).toBe('INCIDENT_NOT_FOUND');
    const several = thrown(() => onlyIncident(['a', 'b']));
    expect(several).toBeInstanceOf(CommonError);
    expect((several as CommonError).code).toBe('INVALID_INPUT');
  });
});
