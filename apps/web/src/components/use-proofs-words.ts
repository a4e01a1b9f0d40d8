import { useMemo } from 'react';
import type { Lang } from '../i18n';
import { useI18n } from '../i18n-context';
import { proofsTranslator, type ProofsTranslate } from '../proofs-words';

/** The panel's translator in the page's current language (follows the language switch). */
export function useProofsWords(): { lang: Lang; pt: ProofsTranslate } {
  const { lang } = useI18n();
  return useMemo(() => ({ lang, pt: proofsTranslator(lang) }), [lang]);
}
