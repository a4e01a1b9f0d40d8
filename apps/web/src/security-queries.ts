/**
 * The operations of signing in beyond the password (issue 16): the session's tokens, the second factors (an
 * authenticator app, recovery codes, passkeys), single sign-on, and the person's own sessions. Written with
 * gql.tada's `graphql()`, checked against the API's schema as queries.ts.
 */
import { graphql, type ResultOf } from './graphql';

const LOGIN_FIELDS = graphql(`
  fragment LoginFields on LoginPayload @_unmask {
    accessToken
    expiresAt
    refreshToken
    refreshExpiresAt
    session { id state }
    user { id displayName roles }
  }
`);

/** The next access and refresh tokens for the refresh token (which then no longer works). */
export const REFRESH_SESSION = graphql(
  `
  mutation RefreshSession($refreshToken: String!) {
    refreshSession(refreshToken: $refreshToken) { ...LoginFields }
  }
`,
  [LOGIN_FIELDS],
);

/** How one may sign in here (asked before signing in). */
export const SIGN_IN_OPTIONS = graphql(`
  query SignInOptions {
    signInOptions { sso ssoStartUrl }
  }
`);

/** The one-time code of the identity provider's hand-off (#sso=<code>) for the session's tokens. */
export const COMPLETE_SSO_SIGN_IN = graphql(
  `
  mutation CompleteSsoSignIn($code: String!) {
    completeSsoSignIn(code: $code) { ...LoginFields }
  }
`,
  [LOGIN_FIELDS],
);

export const SIGN_OUT = graphql(`
  mutation SignOut {
    signOut { id }
  }
`);

/** A TOTP code or a recovery code: completes a sign-in waiting for it, or renews the proof (step-up). */
export const VERIFY_SECOND_FACTOR = graphql(`
  mutation VerifySecondFactor($code: String!) {
    verifySecondFactor(code: $code) { id state secondFactorAt }
  }
`);

export const START_TOTP_ENROLMENT = graphql(`
  mutation StartTotpEnrolment($label: String!) {
    startTotpEnrolment(label: $label) { factorId secret otpauthUri }
  }
`);

export const CONFIRM_TOTP_ENROLMENT = graphql(`
  mutation ConfirmTotpEnrolment($factorId: ID!, $code: String!) {
    confirmTotpEnrolment(factorId: $factorId, code: $code) { factor { id kind label } recoveryCodes }
  }
`);

export const START_PASSKEY_REGISTRATION = graphql(`
  mutation StartPasskeyRegistration($label: String!) {
    startPasskeyRegistration(label: $label) { challengeId options }
  }
`);

export const FINISH_PASSKEY_REGISTRATION = graphql(`
  mutation FinishPasskeyRegistration($challengeId: ID!, $response: JSONObject!) {
    finishPasskeyRegistration(challengeId: $challengeId, response: $response) { factor { id kind label } recoveryCodes }
  }
`);

export const START_PASSKEY_VERIFICATION = graphql(`
  mutation StartPasskeyVerification {
    startPasskeyVerification { challengeId options }
  }
`);

export const FINISH_PASSKEY_VERIFICATION = graphql(`
  mutation FinishPasskeyVerification($challengeId: ID!, $response: JSONObject!) {
    finishPasskeyVerification(challengeId: $challengeId, response: $response) { id state secondFactorAt }
  }
`);

/** The security panel: my open sessions, my second factors, how many recovery codes are left. */
export const MY_SECURITY = graphql(`
  query MySecurity {
    mySessions { id current userAgent address createdAt lastSeenAt signInMethod secondFactorMethod }
    mySecondFactors { id kind label createdAt lastUsedAt }
    recoveryCodesLeft
  }
`);
export type MySession = ResultOf<typeof MY_SECURITY>['mySessions'][number];
export type MySecondFactor = ResultOf<typeof MY_SECURITY>['mySecondFactors'][number];

export const REVOKE_SESSION = graphql(`
  mutation RevokeSession($id: ID!) {
    revokeSession(id: $id) { id revokedAt }
  }
`);

export const REMOVE_SECOND_FACTOR = graphql(`
  mutation RemoveSecondFactor($id: ID!) {
    removeSecondFactor(id: $id) { id removedAt }
  }
`);

export const REGENERATE_RECOVERY_CODES = graphql(`
  mutation RegenerateRecoveryCodes {
    regenerateRecoveryCodes
  }
`);
