import { useMemo } from 'react';
import type { Lang } from '../i18n';
import { useI18n } from '../i18n-context';
import { securityTranslator, type SecurityTranslate } from '../security-words';

/** The security words in the page's current language (follows the language switch). */
export function useSecurityWords(): { lang: Lang; st: SecurityTranslate } {
  const { lang } = useI18n();
  return useMemo(() => ({ lang, st: securityTranslator(lang) }), [lang]);
}
