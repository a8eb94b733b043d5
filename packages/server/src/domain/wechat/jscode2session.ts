/**
 * The client for WeChat's `auth.code2Session` (GET /sns/jscode2session): a mini-program's
 * `wx.login()` code is exchanged, with the app's appid and AppSecret, for the user's openid (and
 * unionid when the app is bound to an Open Platform account) and a session_key.
 * The request URL carries the AppSecret and the code, so it is never logged or put in an error; the
 * session_key is handed to nobody (the caller drops it).
 */

/** What WeChat answered, or why there is no answer. */
export type Code2SessionResult =
  | { ok: true; openid: string; unionid: string | null; sessionKey: string }
  /**
   * `invalid_code`: 40029 (invalid code) or 40163 (code already used); `blocked`: 40226 (a high-risk
   * user, blocked by WeChat); `rate_limited`: 45011; `busy`: -1 (WeChat's "system busy");
   * `unavailable`: a timeout, a network error, a non-JSON or non-200 answer; `refused`: any other
   * errcode (a wrong appid or secret, for instance) — a configuration problem, not the user's.
   */
  | {
      ok: false;
      reason: 'invalid_code' | 'blocked' | 'rate_limited' | 'busy' | 'unavailable' | 'refused';
      errcode: number | null;
    };

export interface Code2SessionInput {
  /** e.g. https://api.weixin.qq.com (no trailing slash needed). */
  baseUrl: string;
  appid: string;
  secret: string;
  code: string;
  timeoutMs: number;
  /** Injectable for tests; default the global fetch. */
  fetch?: typeof fetch;
}

const REASONS: Record<number, Exclude<Code2SessionResult, { ok: true }>['reason']> = {
  40029: 'invalid_code',
  40163: 'invalid_code',
  40226: 'blocked',
  45011: 'rate_limited',
  [-1]: 'busy',
};

/**
 * Calls jscode2session with a timeout; never throws.
 *
 * @example
 * const result = await code2Session({ baseUrl, appid, secret, code, timeoutMs: 5000 });
 * if (result.ok) link(result.openid, result.unionid); // result.sessionKey: never returned, never logged
 */
export async function code2Session(input: Code2SessionInput): Promise<Code2SessionResult> {
  const url = new URL('/sns/jscode2session', input.baseUrl);
  url.search = new URLSearchParams({
    appid: input.appid,
    secret: input.secret,
    js_code: input.code,
    grant_type: 'authorization_code',
  }).toString();
  const unavailable = { ok: false, reason: 'unavailable', errcode: null } as const;
  let body: unknown;
  try {
    const response = await (input.fetch ?? fetch)(url, {
      signal: AbortSignal.timeout(input.timeoutMs),
      headers: { accept: 'application/json' },
      redirect: 'error',
    });
    if (response.status !== 200) return unavailable;
    // WeChat answers JSON, sometimes labelled text/plain: parse the text whatever the type says.
    body = JSON.parse(await response.text());
  } catch {
    // Timeout (AbortSignal), refused connection, DNS, TLS, malformed JSON: nothing about the URL.
    return unavailable;
  }
  if (typeof body !== 'object' || body === null) return unavailable;
  const answer = body as Record<string, unknown>;
  const errcode = typeof answer.errcode === 'number' ? answer.errcode : 0;
  if (errcode !== 0) return { ok: false, reason: REASONS[errcode] ?? 'refused', errcode };
  const { openid, unionid, session_key: sessionKey } = answer;
  if (typeof openid !== 'string' || openid === '' || openid.length > 128 || typeof sessionKey !== 'string') {
    return unavailable;
  }
  return {
    ok: true,
    openid,
    unionid: typeof unionid === 'string' && unionid !== '' && unionid.length <= 128 ? unionid : null,
    sessionKey,
  };
}
