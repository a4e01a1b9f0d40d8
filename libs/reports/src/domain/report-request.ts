import { CommonError, CommonErrorCode, isUuid } from '@app/common';
import { IncidentError, IncidentErrorCode } from '@app/incidents';

// Which incident a status report is asked for: pure checks of the request, no I/O.

/** The incident named by `?incidentId=` (lower-cased), or null when none is named; anything but a UUID is INVALID_INPUT. */
export function namedIncidentId(incidentId: string | null | undefined): string | null {
  if (incidentId == null || incidentId === '') return null;
  if (!isUuid(incidentId)) {
    throw new CommonError(CommonErrorCode.INVALID_INPUT, 'incidentId must be an incident id (a UUID)', { field: 'incidentId' });
  }
  return incidentId.toLowerCase();
}

/**
 * With no incident named, the report is on the only incident there is: none is
 * INCIDENT_NOT_FOUND, several are INVALID_INPUT (name one).
 * @param ids the incidents' ids (the caller reads at most two)
 */
export function onlyIncident(ids: readonly string[]): string {
  if (ids.length === 0) throw new IncidentError(IncidentErrorCode.INCIDENT_NOT_FOUND, 'There is no incident to report on', {});
  if (ids.length > 1) {
    throw new CommonError(CommonErrorCode.INVALID_INPUT, 'There are several incidents: name one with ?incidentId=', {
      field: 'incidentId',
    });
  }
  return ids[0]!;
}
