import { useSecurityWords } from './use-security-words';

/** The recovery codes, shown once (only their hashes are kept), until the person says they have saved them. */
export function RecoveryCodes({ codes, onSaved }: { codes: readonly string[]; onSaved: () => void }) {
  const { st } = useSecurityWords();
  return (
    <section className="recovery-codes" aria-labelledby="recovery-codes-title" data-testid="recovery-codes">
      <h3 id="recovery-codes-title">{st('mfa.recovery.title')}</h3>
      <p className="notice">{st('mfa.recovery.lead')}</p>
      <ol className="codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ol>
      <button type="button" onClick={onSaved} data-testid="recovery-codes-saved">
        {st('mfa.recovery.saved')}
      </button>
    </section>
  );
}
