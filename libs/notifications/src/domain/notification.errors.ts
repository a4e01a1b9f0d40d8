import { DomainError } from '@app/common';

export const NotificationErrorCode = {
  /** No notification with that id among the caller's own (another user's is not found either). */
  NOTIFICATION_NOT_FOUND: 'NOTIFICATION_NOT_FOUND',
  /** A field is missing, malformed or contradicts another. Details: `field`. */
  INVALID_FIELD: 'INVALID_FIELD',
} as const;
export type NotificationErrorCode = (typeof NotificationErrorCode)[keyof typeof NotificationErrorCode];

export class NotificationError extends DomainError<NotificationErrorCode> {
  readonly context = 'notifications';
}
