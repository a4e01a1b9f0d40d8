import { ConfigService } from '@nestjs/config';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, validateConfig } from '@app/common';
import { NotificationMailer } from './notification-mailer';

const mailerFor = (env: Record<string, string>) =>
  new NotificationMailer(new ConfigService(validateConfig(env) as unknown as Record<string, unknown>) as never);

describe('notification e-mail settings', () => {
  it('without SMTP_URL the mailer is off: notifications stay in the inbox', async () => {
    const mailer = mailerFor({});
    expect(mailer.enabled).toBe(false);
    expect(await mailer.send({ to: 'a@example.test', subject: '件名', text: '本文' })).toEqual({
      ok: false,
      error: 'e-mail is not configured (SMTP_URL)',
      permanent: false,
    });
  });

  it('SMTP_URL must be smtp:// or smtps://, and then MAIL_FROM is required; the password is never repeated', () => {
    const refusal = (env: Record<string, string>) => {
      try {
        validateConfig(env);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigValidationError);
        return (err as ConfigValidationError).problems.join('\n');
      }
      throw new Error('expected a refusal');
    };
    const bad = refusal({ SMTP_URL: 'http://user:hunter2@mail.example', MAIL_FROM: 'a@example.test' });
    expect(bad).toContain('SMTP_URL must be an smtp:// or smtps:// URL');
    expect(bad).not.toContain('hunter2');
    expect(refusal({ SMTP_URL: 'smtp://mail.example:587' })).toContain('MAIL_FROM is required when SMTP_URL is set');
    expect(refusal({ SMTP_URL: 'smtp://mail.example:587', MAIL_FROM: 'not an address' })).toContain('MAIL_FROM must be an e-mail address');
    expect(validateConfig({ SMTP_URL: 'smtps://u:p@mail.example:465', MAIL_FROM: '是正対策管理 <noreply@example.test>' }).MAIL_FROM).toBe(
      '是正対策管理 <noreply@example.test>',
    );
  });

  it('PUBLIC_BASE_URL (the links in e-mail) is an http(s) URL without user, query or fragment; trailing slashes are dropped', () => {
    const refusal = (value: string) => {
      try {
        validateConfig({ PUBLIC_BASE_URL: value });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigValidationError);
        return (err as ConfigValidationError).problems;
      }
      throw new Error(`expected ${value} to be refused`);
    };
    expect(validateConfig({}).PUBLIC_BASE_URL).toBeUndefined();
    expect(validateConfig({ PUBLIC_BASE_URL: '' }).PUBLIC_BASE_URL).toBeUndefined();
    expect(validateConfig({ PUBLIC_BASE_URL: 'https://tracker.example.co.jp' }).PUBLIC_BASE_URL).toBe('https://tracker.example.co.jp');
    expect(validateConfig({ PUBLIC_BASE_URL: 'https://tracker.example.co.jp/' }).PUBLIC_BASE_URL).toBe('https://tracker.example.co.jp');
    expect(validateConfig({ PUBLIC_BASE_URL: 'http://10.0.0.5:8080/tracker/' }).PUBLIC_BASE_URL).toBe('http://10.0.0.5:8080/tracker');
    expect(validateConfig({ PUBLIC_BASE_URL: 'https://[::1]:3000' }).PUBLIC_BASE_URL).toBe('https://[::1]:3000');
    for (const bad of [
      'tracker.example.co.jp',
      '/tracker',
      'ftp://tracker.example.co.jp',
      'https://',
      'https:tracker.example.co.jp',
      'https://tracker.example.co.jp/?x=1',
      'https://tracker.example.co.jp/#top',
      'https://tracker.example.co.jp:99999',
      'https://tracker example.co.jp',
    ]) {
      const problems = refusal(bad);
      expect(problems, bad).toHaveLength(1);
      expect(problems[0]).toMatch(/^PUBLIC_BASE_URL: PUBLIC_BASE_URL must be an http:\/\/ or https:\/\/ URL/);
    }
    // A user and password are refused, and never repeated in the message.
    const withPassword = refusal('https://admin:hunter2@tracker.example.co.jp').join('\n');
    expect(withPassword).toContain('PUBLIC_BASE_URL');
    expect(withPassword).not.toContain('hunter2');
  });

  it('a server that cannot be reached is a failed result with the reason, not an exception', async () => {
    const mailer = mailerFor({ SMTP_URL: 'smtp://user:hunter2@127.0.0.1:1', MAIL_FROM: 'noreply@example.test' });
    expect(mailer.enabled).toBe(true);
    const result = await mailer.send({ to: 'a@example.test', subject: '件名', text: '本文' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/ECONNREFUSED|ECONNECTION/);
    // A server away is worth trying again later.
    expect(!result.ok && result.permanent).toBe(false);
    expect(JSON.stringify(result)).not.toContain('hunter2');
    mailer.onModuleDestroy();
  });
});
