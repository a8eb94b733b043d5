/**
 * Debian's chromium, as every browser test and the OpenID conformance suite launch it through
 * playwright-core: the binary (never a downloaded browser) and the flags that keep it quiet and
 * offline in CI. Only data here: testkit does not depend on playwright.
 */

/** The chromium binary: SESAME_TEST_CHROMIUM, or Debian's. @example chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS }) */
export const CHROMIUM_PATH = process.env.SESAME_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a headless chromium in a container, with no network of its own. */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
]);
