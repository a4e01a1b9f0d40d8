import { DomainError } from '@app/common';

/** Codes of the evidence bundles context. */
export const BundleErrorCode = {
  /** No bundle with that id (or, for the download, none READY). */
  BUNDLE_NOT_FOUND: 'BUNDLE_NOT_FOUND',
  /** The incident, engagement or countermeasure to export does not exist. Details: `scope`, `id`. */
  SCOPE_NOT_FOUND: 'SCOPE_NOT_FOUND',
  /** A field the export refuses (an as-of in the future, an id that is not a UUID). Details: `field`. */
  INVALID_FIELD: 'INVALID_FIELD',
  /** An export of this scope is already waiting or building. Details: `bundleId`. */
  EXPORT_IN_PROGRESS: 'EXPORT_IN_PROGRESS',
} as const;
export type BundleErrorCode = (typeof BundleErrorCode)[keyof typeof BundleErrorCode];

export class BundleError extends DomainError<BundleErrorCode> {
  readonly context = 'bundles';
}
