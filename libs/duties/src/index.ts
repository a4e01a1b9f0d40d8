export * from './domain/duties.errors';
export * from './duties.module';
export { writeDraft, COUNTERMEASURE_STATUS_JA, HOTLINE_KIND_LABEL_JA } from './domain/draft-writer';
export { renderFilingPdf, type FilingPdfOptions } from './render/filing-pdf';
export { renderFilingDocx } from './render/filing-docx';
export * from './hotline/hotline.entities';
export * from './hotline/hotline.service';
export { HOTLINE_KINDS, HOTLINE_LIMITS, type HotlineKind, type HotlineCountInput } from './hotline/domain/hotline-rules';
export * from './progress/progress-statement.entity';
export * from './progress/progress-statements.service';
export {
  PROGRESS_LIMITS,
  PUBLIC_LANGUAGES,
  publicStatusWording,
  statementLabel,
  type PublicLanguage,
  type PublishProgressStatementCommand,
  type StatementCountermeasureInput,
} from './progress/domain/progress-rules';
export * from './domain/nine-items';
export type { DraftFacts, AppliedCase, FilingDocument } from './domain/draft-facts';
export * from './rules/rule-pack';
export { RulePacks } from './rules/rule-packs';
export { dayOf, daysLeft, dueDay, lateDays, type DayCountRule } from './rules/day-count';
export * from './breach/breach.entities';
export * from './breach/breach-notifications.service';
export * from './breach/breach-filings.service';
export * from './breach/notice-campaigns.service';
export * from './breach/deadline-reminders';
