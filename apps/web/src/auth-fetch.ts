import type { TokenKeeper } from './token-keeper';

/** The first error of a GraphQL answer: its stable code and, for a domain error, the domain's reason. */
export interface AnswerError {
  code?: string;
  reason?: string;
}

/**
 * UNAUTHENTICATED answers that are not about the session's token: a wrong second-factor code, a wrong password,
 * a refused single sign-on. Renewing the token would not help, and the session goes on.
 */
const NOT_ABOUT_THE_TOKEN = new Set(['INVALID_SECOND_FACTOR', 'INVALID_CREDENTIALS', 'SSO_REFUSED', 'LOGIN_THROTTLED']);

/** Whether an error says the access token itself was refused (expired, revoked, unknown). */
export function isCredentialRefusal(e: AnswerError | undefined): boolean {
  return e?.code === 'UNAUTHENTICATED' && !NOT_ABOUT_THE_TOKEN.has(e.reason ?? '');
}

/** Whether an error asks for a fresh second-factor proof before the operation is sent again. */
export function isStepUpRequest(e: AnswerError | undefined): boolean {
  return e?.code === 'STEP_UP_REQUIRED';
}

/** The first error of a GraphQL answer's text (none when the text is not an answer with errors). */
export function firstError(text: string): AnswerError | undefined {
  if (!text.includes('"errors"')) return undefined;
  try {
    const body = JSON.parse(text) as { errors?: { extensions?: Record<string, unknown> }[] };
    const ext = body.errors?.[0]?.extensions;
    if (!ext) return undefined;
    return {
      code: typeof ext['code'] === 'string' ? ext['code'] : undefined,
      reason: typeof ext['reason'] === 'string' ? ext['reason'] : undefined,
    };
  } catch {
    return undefined;
  }
}

export type FetchLike = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/**
 * The fetch the signed-in GraphQL client sends with: the bearer token from the keeper (renewed shortly before it
 * expires); a token refused anyway is renewed once and the request sent again; an operation answered
 * STEP_UP_REQUIRED asks the person for a fresh second-factor proof (`stepUp`: true once proved, false when they
 * gave up) and is sent again once. Everything else passes through as the server answered it.
 */
export function createAuthFetch(deps: { keeper: TokenKeeper; fetch: FetchLike; stepUp: () => Promise<boolean> }): FetchLike {
  const send = async (input: RequestInfo | URL, init: RequestInit | undefined, token: string) => {
    const headers = new Headers(init?.headers);
    headers.set('authorization', `Bearer ${token}`);
    const res = await deps.fetch(input, { ...init, headers });
    return { res, error: firstError(await res.clone().text()) };
  };
  return async (input, init) => {
    let token = await deps.keeper.token();
    let answer = await send(input, init, token);
    if (isCredentialRefusal(answer.error)) {
      token = await deps.keeper.renew(token);
      answer = await send(input, init, token);
    }
    if (isStepUpRequest(answer.error) && (await deps.stepUp())) {
      answer = await send(input, init, await deps.keeper.token());
    }
    return answer.res;
  };
}
