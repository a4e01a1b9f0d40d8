/** GraphQL documents of the remediation workflow that brings a gate to OPEN: the work, its evidence and sign-off, the external audit. */
export const MOVE = `mutation($input: MoveCountermeasureInput!) { moveCountermeasure(input: $input) { status version } }`;
export const ATTEST = `mutation($input: SubmitEvidenceAttestationInput!) { submitEvidenceAttestation(input: $input) { id sha256 } }`;
export const REVIEW = `mutation($input: ReviewEvidenceInput!) { reviewEvidence(input: $input) { decision } }`;
export const SIGN = `mutation($input: SignOffCountermeasureInput!) { signOffCountermeasure(input: $input) { digest } }`;
export const ENGAGE = `mutation($input: CreateAuditEngagementInput!) { createAuditEngagement(input: $input) { id version } }`;
export const MOVE_AUDIT = `mutation($input: MoveAuditEngagementInput!) { moveAuditEngagement(input: $input) { id version status } }`;
export const CLEAR = `mutation($input: ClearAuditInput!) { clearAudit(input: $input) { id } }`;
export const RAISE = `mutation($input: RaiseAuditFindingInput!) { raiseAuditFinding(input: $input) { id version } }`;
