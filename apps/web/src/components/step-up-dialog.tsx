import { useEffect, useState } from 'react';
import type { StepUpBroker } from '../step-up';
import { SecondFactorForm } from './second-factor-form';
import { useSecurityWords } from './use-security-words';

/**
 * The step-up dialog: an operation that signs a record (a sign-off, a clearance, a risk acceptance, the gate's
 * reopening, a filing's submission, a key rotation, removing a second factor...) was answered STEP_UP_REQUIRED;
 * the person proves a second factor here and the operation is sent again once (auth-fetch.ts), or cancels and the
 * refusal stands.
 */
export function StepUpDialog({ broker }: { broker: StepUpBroker }) {
  const { st } = useSecurityWords();
  const [open, setOpen] = useState(broker.isOpen);
  useEffect(() => broker.subscribe(setOpen), [broker]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') broker.settle(false);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, broker]);
  if (!open) return null;
  return (
    <div className="modal-backdrop">
      <div className="modal step-up" role="dialog" aria-modal="true" aria-labelledby="step-up-title" data-testid="step-up-dialog">
        <h2 id="step-up-title">{st('stepUp.title')}</h2>
        <p>{st('stepUp.lead')}</p>
        <SecondFactorForm
          idPrefix="step-up"
          autoFocus
          onProved={() => broker.settle(true)}
          extra={
            <button type="button" className="secondary" onClick={() => broker.settle(false)} data-testid="step-up-cancel">
              {st('stepUp.cancel')}
            </button>
          }
        />
      </div>
    </div>
  );
}
