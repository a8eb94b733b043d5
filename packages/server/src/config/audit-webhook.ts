/**
 * The rules of the audit webhook settings (auditWebhook*), checked once when the configuration is
 * loaded: the audit trail names users, clients and addresses, so it travels over TLS, or over
 * plain HTTP only to this machine and only when asked; and the receiver must be able to tell a
 * batch came from this server (auditWebhookSecret signs each one).
 */

import { ConfigError } from './errors.js';
import { isLoopback } from './metrics.js';
import { envName } from './schema.js';

/** An auditWebhookSecret shorter than this is refused (make one: openssl rand -hex 32). */
export const AUDIT_WEBHOOK_SECRET_MIN_LENGTH = 32;

/**
 * Throws a ConfigError when the audit webhook settings do not fit together. The secret is never
 * named in a message, only its variable.
 *
 * @example checkAuditWebhook({ auditWebhookUrl: 'http://siem.example/in' }); // throws: not https
 */
export function checkAuditWebhook(config: Record<string, unknown>): void {
  const raw = String(config.auditWebhookUrl ?? '');
  if (raw === '') return;
  const key = `auditWebhookUrl (${envName('auditWebhookUrl')})`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${key}: not a URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConfigError(
      `${key}: must not carry credentials; the batches are signed with auditWebhookSecret`,
    );
  }
  if (url.protocol === 'http:') {
    if (config.auditWebhookAllowHttp !== true || !isLoopback(url.hostname)) {
      throw new ConfigError(
        `${key}: must be https, or http to a loopback address with ${envName('auditWebhookAllowHttp')}=true`,
      );
    }
  } else if (url.protocol !== 'https:') {
    throw new ConfigError(`${key}: must be https`);
  }
  if (String(config.auditWebhookSecret ?? '').length < AUDIT_WEBHOOK_SECRET_MIN_LENGTH) {
    throw new ConfigError(
      `auditWebhookSecret (${envName('auditWebhookSecret')}): required with auditWebhookUrl, at least ${AUDIT_WEBHOOK_SECRET_MIN_LENGTH} characters (make one: openssl rand -hex 32)`,
    );
  }
}
