import { OAuthError } from '../../domain/errors.js';
import { KeyringError } from '../../domain/keys/errors.js';
import type { TypedApp } from '../typed-routes.js';
import { actorOf } from './actor.js';

const keySchema = {
  type: 'object',
  properties: {
    kid: { type: 'string' },
    alg: { type: 'string' },
    state: { type: 'string' },
    createdAt: { type: 'integer' },
    activatedAt: { type: ['integer', 'null'] },
    retiredAt: { type: ['integer', 'null'] },
    expiresAt: { type: ['integer', 'null'] },
  },
} as const;

const auditSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    at: { type: 'integer' },
    type: { type: 'string' },
    actor: { type: ['string', 'null'] },
    subject: { type: ['string', 'null'] },
    clientId: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    details: { type: 'object', additionalProperties: true },
  },
  additionalProperties: false,
} as const;

/** Signing keys (list, force a rotation step) and the audit trail. */
export async function adminKeyAndAuditRoutes(app: TypedApp): Promise<void> {
  const tags = ['admin'];
  app.get(
    '/keys',
    {
      schema: {
        tags,
        summary: 'Signing keys (no key material)',
        response: { 200: { type: 'array', items: keySchema } },
      },
    },
    async () => app.sesame.keys.list(),
  );
  app.post(
    '/keys/rotate',
    {
      schema: {
        tags,
        summary: 'Force one rotation step',
        response: { 200: { type: 'array', items: keySchema } },
      },
    },
    async (request) => {
      await app.sesame.keys.rotate(actorOf(request));
      return app.sesame.keys.list();
    },
  );
  app.post(
    '/keys/:kid/revoke',
    {
      schema: {
        tags,
        summary:
          'Withdraw a compromised key at once: unpublished, every token it signed refused (a kid entry in the revocation feed)',
        params: {
          type: 'object',
          required: ['kid'],
          properties: { kid: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: { type: 'array', items: keySchema } },
      },
    },
    async (request) => {
      const { kid } = request.params;
      try {
        await app.sesame.keys.revoke(kid, actorOf(request));
      } catch (error) {
        if (error instanceof KeyringError && error.code === 'ERR_KEYRING_KEY_NOT_FOUND')
          throw new OAuthError('not_found', 'no signing key has this kid');
        throw error;
      }
      return app.sesame.keys.list();
    },
  );
  app.get(
    '/audit',
    {
      schema: {
        tags,
        summary:
          'Audit events, newest first; with afterId, the events after that id, oldest first (an export)',
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', maxLength: 100 },
            subject: { type: 'string', maxLength: 200 },
            // Past 2^53 no exact number, past 2^63 an error from PostgreSQL: 400 on every store.
            since: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            afterId: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
          },
        },
        response: { 200: { type: 'array', items: auditSchema } },
      },
    },
    async (request) => {
      const { query } = request;
      return app.sesame.auditTrail.list(query);
    },
  );
}
