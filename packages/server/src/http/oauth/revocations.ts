// The feed's wire format (entries, NumericDates, the issued_before cut-off) is @sesame/protocol's.
import { encodeRevocation } from '@sesame/protocol';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { OAuthError } from '../../domain/errors.js';
import type { Revocation } from '../../store/types.js';
import { typedRoutes } from '../typed-routes.js';
import { authenticateClient, invalidClient } from './client-auth.js';
import { createFeedStreams } from './revocation-stream.js';
import { oauthErrorResponses } from './schemas.js';

/**
 * The revocation feed that guards follow (protocol in packages/guard/README.md):
 *   GET /oauth/revocations?since=CURSOR&limit=N   one JSON page
 *   GET /oauth/revocations/stream?since=CURSOR    Server-Sent Events on the same data
 * Both are client-authenticated like /oauth/introspect (HTTP Basic, RFC 6749 §2.3.1), confidential
 * clients with the `revocations` permission only: the entries name users and sessions.
 */

const PAGE_MAX = 1000;
const CURSOR = /^[0-9]{1,15}$/;

/** One entry as a Server-Sent Event: its seq is the event id a guard resumes from. */
const sseEvent = (entry: Revocation) =>
  `id: ${entry.seq}\nevent: revocation\ndata: ${JSON.stringify(encodeRevocation(entry))}\n\n`;

/**
 * The feed is read with GET, so a private_key_jwt client sends its assertion (RFC 7523 §2.2) in the
 * query: single-use and short-lived, it is worth nothing once it has been seen in a log.
 */
async function authenticateFeedClient(
  request: FastifyRequest<{ Querystring: AssertionQuery }>,
  app: FastifyInstance,
): Promise<void> {
  const { client_assertion, client_assertion_type } = request.query;
  const assertion = client_assertion !== undefined || client_assertion_type !== undefined;
  if (request.headers.authorization === undefined && !assertion)
    throw invalidClient(
      'HTTP Basic client authentication (or a private_key_jwt client assertion) is required',
    );
  const params: Record<string, string> = {};
  if (client_assertion !== undefined) params.client_assertion = client_assertion;
  if (client_assertion_type !== undefined) params.client_assertion_type = client_assertion_type;
  const { client } = await authenticateClient(request, params, app.sesame);
  if (client.type !== 'confidential') throw invalidClient('the revocation feed is for confidential clients');
  if (!client.permissions.includes('revocations')) {
    throw new OAuthError(
      'unauthorized_client',
      'this client may not read the revocation feed: it needs the revocations permission (sesame clients permit ID revocations)',
      { status: 403 },
    );
  }
}

function cursorOf(value: string | undefined, name: string): number {
  if (value === undefined || value === '') return 0;
  if (!CURSOR.test(value)) throw new OAuthError('invalid_request', `${name} must be a cursor from the feed`);
  return Number(value);
}

const entrySchema = {
  type: 'object',
  properties: {
    seq: { type: 'integer' },
    kind: { type: 'string', enum: ['jti', 'sid', 'user', 'client', 'kid'] },
    value: { type: 'string' },
    issued_before: {
      type: 'integer',
      description: 'kinds user and client: their tokens with iat < this are revoked',
    },
    expires_at: { type: 'integer', description: 'NumericDate after which the entry covers no live token' },
  },
  required: ['seq', 'kind', 'value', 'expires_at'],
  // What is serialised: the JSON serialiser drops members the schema does not name.
  additionalProperties: false,
} as const;

interface AssertionQuery {
  client_assertion?: string;
  client_assertion_type?: string;
}

/** private_key_jwt in the query of a GET (authenticateFeedClient). */
const assertionProperties = {
  client_assertion: { type: 'string', maxLength: 8192, description: 'a private_key_jwt client assertion' },
  client_assertion_type: { type: 'string', maxLength: 100 },
} as const;

const querySchema = {
  type: 'object',
  properties: {
    since: { type: 'string', description: 'the cursor of the last page (omit to start from the beginning)' },
    limit: { type: 'integer', minimum: 1, maximum: PAGE_MAX, default: PAGE_MAX },
    ...assertionProperties,
  },
} as const;

export async function revocationFeedRoutes(app: FastifyInstance): Promise<void> {
  // One store poll per process fans out to every stream (domain/tokens/revocation-hub.ts).
  const streams = createFeedStreams({ hub: app.sesame.revocationFeed, frame: sseEvent });
  // preClose, not onClose: the server waits for open connections before onClose runs.
  app.addHook('preClose', async () => streams.closeAll());

  typedRoutes(app).get(
    '/oauth/revocations',
    {
      schema: {
        tags: ['oauth'],
        summary: 'Revocations not yet expired, after a cursor (for @sesame/guard)',
        security: [{ clientBasic: [] }],
        querystring: querySchema,
        response: {
          200: {
            type: 'object',
            properties: {
              cursor: { type: 'string' },
              entries: { type: 'array', items: entrySchema },
              more: { type: 'boolean' },
            },
            required: ['cursor', 'entries', 'more'],
          },
          ...oauthErrorResponses,
        },
      },
    },
    async (request, reply) => {
      await authenticateFeedClient(request, app);
      const { query } = request;
      const since = cursorOf(query.since, 'since');
      // One more than asked tells whether another page follows.
      const found = await app.sesame.revocationFeed.page(since, query.limit + 1);
      const page = found.slice(0, query.limit);
      reply.header('cache-control', 'no-store');
      return {
        cursor: String(page.at(-1)?.seq ?? since),
        entries: page.map(encodeRevocation),
        more: found.length > query.limit,
      };
    },
  );

  typedRoutes(app).get(
    '/oauth/revocations/stream',
    {
      schema: {
        tags: ['oauth'],
        summary: 'The revocation feed as Server-Sent Events (id: seq, event: revocation)',
        security: [{ clientBasic: [] }],
        querystring: {
          type: 'object',
          properties: { since: querySchema.properties.since, ...assertionProperties },
        },
        response: { ...oauthErrorResponses },
      },
    },
    async (request, reply) => {
      await authenticateFeedClient(request, app);
      // HTML Standard §9.2: a reconnecting EventSource sends the last id it saw; it wins over `since`.
      const lastEventId = request.headers['last-event-id'];
      const cursor =
        typeof lastEventId === 'string' && lastEventId !== ''
          ? cursorOf(lastEventId, 'Last-Event-ID')
          : cursorOf(request.query.since, 'since');
      reply.hijack();
      streams.open(reply.raw, cursor, (message, error) =>
        request.log.warn(error === undefined ? {} : { err: error }, message),
      );
    },
  );
}
