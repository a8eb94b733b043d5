/**
 * The SDK is an optional dependency (tracing/sdk.ts): a package that is not installed stops a
 * traced start with one line naming what to install, instead of a module-resolution stack.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { importOptional, loadSdk } from '../../src/tracing/sdk.js';

describe('importOptional', () => {
  it('answers an installed package', async () => {
    const sdk = await loadSdk();
    expect(typeof sdk.TracerProvider).toBe('function');
  });

  it('refuses a missing one with a ConfigError naming the packages to install', async () => {
    const missing = importOptional('@opentelemetry/not-a-package-of-sesame');
    await expect(missing).rejects.toThrow(ConfigError);
    await expect(missing).rejects.toThrow(
      /^OTEL_\* asks for traces but @opentelemetry\/not-a-package-of-sesame is not installed; install .*@opentelemetry\/sdk-trace/,
    );
  });
});
