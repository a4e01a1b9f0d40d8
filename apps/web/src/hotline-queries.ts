/**
 * The hotline chart's GraphQL operation: the recorded days of the incident in a span (aggregates only, readable by
 * every role that reads the plan). Typed from the API's schema like queries.ts.
 */
import { graphql, type ResultOf } from './graphql';

export const HOTLINE_CONTACTS = graphql(`
  query HotlineContacts($incidentId: ID!, $from: LocalDate!, $to: LocalDate!) {
    hotlineContacts(incidentId: $incidentId, from: $from, to: $to) {
      day total version
      counts { kind count }
    }
  }
`);
export type HotlineDayView = ResultOf<typeof HOTLINE_CONTACTS>['hotlineContacts'][number];

/** Records or corrects a day's figures (expectedVersion null for a new day). */
export const RECORD_HOTLINE_CONTACTS = graphql(`
  mutation RecordHotlineContacts($input: RecordHotlineContactsInput!) {
    recordHotlineContacts(input: $input) { day total version }
  }
`);
