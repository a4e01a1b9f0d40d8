/**
 * The duties section's GraphQL operations (issue 15): the deadlines of the PPC reports (every role: the banner), the
 * breach-notification record with its filings and notice campaigns (executives, auditors, the chief, the legal lead),
 * the filings' drafting and submission, and the public progress statements. Typed from the API's schema like queries.ts.
 */
import { graphql, type ResultOf } from './graphql';

const DEADLINE = graphql(`
  fragment BreachDeadlineFields on BreachDeadline @_unmask {
    kind dueOn days binding state daysLeft lateDays filingId submittedAt guidanceJa guidanceEn
  }
`);
export type BreachDeadlineView = ResultOf<typeof DEADLINE>;

/** When the incident's reports fall due (no content): every role. */
export const BREACH_DEADLINES = graphql(
  `
  query BreachDeadlines($incidentId: ID!) {
    breachDeadlines(incidentId: $incidentId) { ...BreachDeadlineFields }
  }
`,
  [DEADLINE],
);

const FILING = graphql(`
  fragment BreachFilingFields on BreachFiling @_unmask {
    id kind status version supplementNo dueOn lateDays itemsSha256 referenceNumber channel submittedAt submittedByLabel
    createdAt pdfPath docxPath
    items { overview dataItems individuals cause secondaryHarm responseToIndividuals publication recurrencePrevention other }
  }
`);
export type BreachFilingView = ResultOf<typeof FILING>;

const CAMPAIGN = graphql(`
  fragment NoticeCampaignFields on NoticeCampaign @_unmask {
    id version channel plannedCount sentCount returnedCount unreachableCount startedOn completedOn
    substitutePublishedOn substituteInquiryDesk substituteMissing note
  }
`);
export type NoticeCampaignView = ResultOf<typeof CAMPAIGN>;

/** The record (null until opened; FORBIDDEN for those who may not read it). */
export const BREACH_NOTIFICATION = graphql(
  `
  query BreachNotification($incidentId: ID!) {
    breachNotification(incidentId: $incidentId) {
      id version knownAt knowledgeDay mandatory mandatoryReasonJa mandatoryReasonEn authorityCode authorityName reporter
      individualsEstimate individualsEstimatedOn individualsConfirmed individualsConfirmedOn
      rulePack { id }
      cases { code no nameJa rationale derived }
      deadlines { ...BreachDeadlineFields }
      filings { ...BreachFilingFields }
      noticeCampaigns { ...NoticeCampaignFields }
    }
    me { id permissions }
  }
`,
  [DEADLINE, FILING, CAMPAIGN],
);
export type BreachNotificationView = NonNullable<ResultOf<typeof BREACH_NOTIFICATION>['breachNotification']>;

export const CREATE_FILING_DRAFT = graphql(
  `
  mutation CreateBreachFilingDraft($input: CreateBreachFilingDraftInput!) {
    createBreachFilingDraft(input: $input) { ...BreachFilingFields }
  }
`,
  [FILING],
);

export const EDIT_FILING_DRAFT = graphql(
  `
  mutation EditBreachFilingDraft($input: EditBreachFilingDraftInput!) {
    editBreachFilingDraft(input: $input) { ...BreachFilingFields }
  }
`,
  [FILING],
);

export const REDRAFT_FILING = graphql(
  `
  mutation RedraftBreachFiling($input: RedraftBreachFilingInput!) {
    redraftBreachFiling(input: $input) { ...BreachFilingFields }
  }
`,
  [FILING],
);

export const SUBMIT_FILING = graphql(
  `
  mutation SubmitBreachFiling($input: SubmitBreachFilingInput!) {
    submitBreachFiling(input: $input) { ...BreachFilingFields }
  }
`,
  [FILING],
);

export const CREATE_NOTICE_CAMPAIGN = graphql(
  `
  mutation CreateNoticeCampaign($input: CreateNoticeCampaignInput!) {
    createNoticeCampaign(input: $input) { ...NoticeCampaignFields }
  }
`,
  [CAMPAIGN],
);

export const UPDATE_NOTICE_CAMPAIGN = graphql(
  `
  mutation UpdateNoticeCampaign($input: UpdateNoticeCampaignInput!) {
    updateNoticeCampaign(input: $input) { ...NoticeCampaignFields }
  }
`,
  [CAMPAIGN],
);

/** The incident's published progress statements, newest first (every role that reads the plan). */
export const PROGRESS_STATEMENTS = graphql(`
  query ProgressStatements($incidentId: ID!) {
    progressStatements(incidentId: $incidentId, first: 100) {
      totalCount
      nodes { id number publishedAt titleJa titleEn correctsNumber correctedByNumber }
    }
  }
`);
export type ProgressStatementView = ResultOf<typeof PROGRESS_STATEMENTS>['progressStatements']['nodes'][number];

export const PUBLISH_PROGRESS_STATEMENT = graphql(`
  mutation PublishProgressStatement($input: PublishProgressStatementInput!) {
    publishProgressStatement(input: $input) { id number publishedAt titleJa titleEn }
  }
`);

/** Announced on `window` after a change made in the duties section, so that the banner asks again. */
export const DUTIES_CHANGED_EVENT = 'rt:duties-changed';

/** Opens the incident's record (executives, the chief, the legal lead). */
export const OPEN_BREACH_NOTIFICATION = graphql(`
  mutation OpenBreachNotification($input: OpenBreachNotificationInput!) {
    openBreachNotification(input: $input) { id version }
  }
`);

/** Corrects the record with its version (every field). */
export const CORRECT_BREACH_NOTIFICATION = graphql(`
  mutation CorrectBreachNotification($input: CorrectBreachNotificationInput!) {
    correctBreachNotification(input: $input) { id version }
  }
`);
