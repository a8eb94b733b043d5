/**
 * The refresh-rotation load every benchmark uses: a pool of refresh tokens from password logins;
 * each request takes one and the answer's successor goes back, so every request is a real rotation
 * (never the grace-window replay).
 */
import type { Scenario } from './load.js';
import { basic, type Credentials, postForm } from './sesame.js';

const FORM = 'application/x-www-form-urlencoded';

export interface RefreshLoad {
  /** The token endpoint. */
  tokenUrl: string;
  /** A client allowed the password and refresh_token grants. */
  client: Credentials;
  username: string;
  password: string;
  scope: string;
  /** Refresh tokens in the pool: at least the load's connections, so none waits for another. */
  size: number;
}

/**
 * Logs in `size` times and returns the scenario that rotates the pool's tokens; `target` names it
 * and says whose CPU time to measure.
 *
 * @example await measure(await refreshRotation(load, { name: 'refresh', pid }), LOAD)
 */
export async function refreshRotation(
  load: RefreshLoad,
  target: Pick<Scenario, 'name' | 'pid' | 'pids' | 'servicePids' | 'counters'>,
): Promise<Scenario> {
  const authorization = basic(load.client);
  const login = () =>
    postForm(
      load.tokenUrl,
      { grant_type: 'password', username: load.username, password: load.password, scope: load.scope },
      authorization,
    );
  const pool: string[] = [];
  // Two logins at a time: Argon2id runs on the libuv pool, more only queue.
  for (let i = 0; i < load.size; i += 2) {
    const logins = await Promise.all([login(), ...(i + 1 < load.size ? [login()] : [])]);
    for (const answer of logins) pool.push(answer.refresh_token as string);
  }
  return {
    ...target,
    url: load.tokenUrl,
    method: 'POST',
    headers: { authorization, 'content-type': FORM },
    setupRequest: (request) => {
      const token = pool.shift();
      if (token === undefined) throw new Error('the refresh token pool ran dry');
      return { ...request, body: `grant_type=refresh_token&refresh_token=${token}` };
    },
    onResponse: (status, body) => {
      if (status === 200) pool.push((JSON.parse(body) as { refresh_token: string }).refresh_token);
    },
  };
}
