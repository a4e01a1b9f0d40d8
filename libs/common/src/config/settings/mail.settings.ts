import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, ValidateIf } from 'class-validator';
import { emptyToUndefined, type SettingsBase } from './conversions';

/** Notification e-mail: the SMTP server and the sender (links in it use PUBLIC_BASE_URL, ./server.settings.ts). */
export function MailSettings<TBase extends SettingsBase>(Base: TBase) {
  class MailSettings extends Base {
    /** Notification e-mail: the SMTP server (smtp:// or smtps://, user and password in the URL); unset: inbox only. */
    @Transform(emptyToUndefined)
    @IsOptional()
    @Matches(/^smtps?:\/\/[^/?#\s]+(\/?|\/?\?\S*)$/, {
      message: 'SMTP_URL must be an smtp:// or smtps:// URL, e.g. smtp://user:pass@mail.example:587',
    })
    SMTP_URL?: string = undefined;

    /** Notification e-mail: the sender, an address or `Name <address>`; required when SMTP_URL is set. */
    @Transform(emptyToUndefined)
    @ValidateIf((c: MailSettings) => c.SMTP_URL !== undefined || c.MAIL_FROM !== undefined)
    @IsString({ message: 'MAIL_FROM is required when SMTP_URL is set' })
    @Matches(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, {
      message: 'MAIL_FROM must be an e-mail address or "Name <address>"',
    })
    MAIL_FROM?: string = undefined;
  }
  return MailSettings;
}
