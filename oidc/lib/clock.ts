/**
 * The server's clock, read from the outside. `sesame serve` has no injectable clock (only
 * buildApp's `now` option, for in-process tests), and the modules that are about time (max_age=1,
 * a code reused after 30 s, a rotated key taking effect) run against the real process. So instead
 * of sleeping a fixed time, they wait for an event: the server's own clock, as its HTTP `Date`
 * header shows it (RFC 9110 §6.6.1, whole seconds), passing the second the check needs. That is
 * the clock the server compares auth_time and code lifetimes with, so the wait is as short as the
 * check allows and still right when the machine is slow.
 */

/** The server's time in whole seconds, from the Date header of GET /healthz. */
export async function serverSeconds(issuer: string): Promise<number> {
  const response = await fetch(`${issuer}/healthz`);
  await response.arrayBuffer();
  const date = response.headers.get('date');
  if (date === null) throw new Error('/healthz answered without a Date header');
  return Date.parse(date) / 1000;
}

/**
 * Resolves once the server's clock reads `seconds` or later (polling its Date header every
 * 200 ms); rejects after `timeoutMs`, a bound for a loaded machine.
 *
 * @example await untilServerTime(issuer, authTime + 2); // max_age=1 now certainly exceeded
 */
export async function untilServerTime(issuer: string, seconds: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await serverSeconds(issuer)) < seconds) {
    if (Date.now() > deadline)
      throw new Error(`the server's clock did not reach ${seconds} in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
