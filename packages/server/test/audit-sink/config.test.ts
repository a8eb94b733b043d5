/** The audit webhook settings (config/audit-webhook.ts): each rule seen passing and failing. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

const SECRET = 'a'.repeat(32);
const load = (values: Record<string, unknown>) => () =>
  loadConfig({ values: { logLevel: 'silent', ...values } });

describe('auditWebhook* settings', () => {
  it('takes an https URL with a secret of 32 characters or more', () => {
    const config = load({ auditWebhookUrl: 'https://siem.example/in', auditWebhookSecret: SECRET })();
    expect(config.auditWebhookUrl).toBe('https://siem.example/in');
    expect(load({})().auditWebhookUrl).toBe('');
  });

  it('refuses http, unless allowed and to loopback', () => {
    expect(load({ auditWebhookUrl: 'http://siem.example/in', auditWebhookSecret: SECRET })).toThrow(
      /^auditWebhookUrl \(SESAME_AUDIT_WEBHOOK_URL\): must be https, or http to a loopback address/,
    );
    const allowed = { auditWebhookSecret: SECRET, auditWebhookAllowHttp: true };
    expect(load({ ...allowed, auditWebhookUrl: 'http://10.0.0.5/in' })).toThrow(/must be https/);
    expect(load({ ...allowed, auditWebhookUrl: 'http://127.0.0.1:9000/in' })()).toBeDefined();
    expect(load({ auditWebhookUrl: 'ftp://siem.example/in', auditWebhookSecret: SECRET })).toThrow(
      /must be https/,
    );
  });

  it('refuses a missing or short secret without showing it, and credentials in the URL', () => {
    expect(load({ auditWebhookUrl: 'https://siem.example/in' })).toThrow(/^auditWebhookSecret .*required/);
    const short = 'short-secret-value';
    expect(load({ auditWebhookUrl: 'https://siem.example/in', auditWebhookSecret: short })).toThrow(
      /at least 32 characters/,
    );
    try {
      load({ auditWebhookUrl: 'https://siem.example/in', auditWebhookSecret: short })();
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(load({ auditWebhookUrl: 'https://u:p@siem.example/in', auditWebhookSecret: SECRET })).toThrow(
      /must not carry credentials/,
    );
  });
});
