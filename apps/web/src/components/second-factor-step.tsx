import type { SessionState } from '../session';
import { SecondFactorEnrolment } from './second-factor-enrolment';
import { SecondFactorForm } from './second-factor-form';
import { useSecurityWords } from './use-security-words';

/**
 * The sign-in's second step, after the password: prove the second factor (SECOND_FACTOR_PENDING), or enrol one
 * when the role requires it and none is enrolled (ENROLMENT_PENDING). Until then the server refuses everything else.
 */
export function SecondFactorStep(props: { state: Exclude<SessionState, 'ACTIVE'>; onActive: () => void; onCancel: () => void }) {
  const { st } = useSecurityWords();
  const cancel = (
    <button type="button" className="secondary" onClick={props.onCancel} data-testid="cancel-sign-in">
      {st('mfa.cancelSignIn')}
    </button>
  );
  return (
    <main className="sign-in second-factor-step" data-testid="second-factor-step" data-state={props.state}>
      <section aria-labelledby="second-factor-title">
        {props.state === 'SECOND_FACTOR_PENDING' ? (
          <>
            <h2 id="second-factor-title">{st('mfa.verify.title')}</h2>
            <p className="lead">{st('mfa.verify.lead')}</p>
            <SecondFactorForm idPrefix="verify" onProved={props.onActive} autoFocus extra={cancel} />
          </>
        ) : (
          <>
            <h2 id="second-factor-title">{st('mfa.enrol.title')}</h2>
            <p className="lead">{st('mfa.enrol.lead')}</p>
            <SecondFactorEnrolment onDone={props.onActive} />
            <div className="actions">{cancel}</div>
          </>
        )}
      </section>
    </main>
  );
}
