import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccountError } from '../../domain/accounts/errors.js';
import { ClientError } from '../../domain/clients/clients.js';
import { OAuthError } from '../../domain/errors.js';
import { isStoreError } from '../../store/errors.js';
import { isUnavailableError } from '../../store/unavailable.js';

/** Account rules broken by an admin request (bad username, taken, unknown user). */
function fromAccountError(error: AccountError): OAuthError {
  switch (error.code) {
    case 'ERR_USERNAME_TAKEN':
      return new OAuthError('invalid_request', error.message, { status: 409 });
    case 'ERR_USER_NOT_FOUND':
      return new OAuthError('not_found', error.message);
    default:
      return new OAuthError('invalid_request', error.message);
  }
}

/** Fastify's own client errors (content type, JSON, size, ...) mapped to OAuth errors. */
function fromFastifyError(error: FastifyError): OAuthError {
  const status = error.statusCode ?? 500;
  if (error.validation) {
    const first = error.validation[0];
    const where = first?.instancePath ? first.instancePath.replace(/^\//, '') : '';
    const missing = (first?.params as { missingProperty?: string } | undefined)?.missingProperty;
    const detail = missing
      ? `the ${missing} parameter is missing`
      : `${where || 'the request'} ${first?.message ?? 'is invalid'}`;
    return new OAuthError('invalid_request', detail);
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new OAuthError('invalid_request', 'unsupported content type', { status: 415 });
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new OAuthError('invalid_request', 'the request body is too large', { status: 413 });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new OAuthError('invalid_request', 'the JSON body is empty');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new OAuthError('invalid_request', 'the body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new OAuthError('invalid_request', 'the content length does not match the body');
  }
  if (status === 429) {
    return new OAuthError('slow_down', 'too many requests', { status: 429 });
  }
  if (status >= 400 && status < 500) {
    // e.g. a body that is not valid JSON (a SyntaxError with status 400), a bad URL encoding.
    return new OAuthError('invalid_request', 'the request is malformed', { status });
  }
  return new OAuthError('server_error', 'the server could not complete the request');
}

/**
 * Installs the single error handler: every failure answers with an OAuth error body and never with
 * a stack trace. Unexpected errors are logged (without the request body) and answered as a 500
 * server_error. (404, 405 and the router's own errors: router-errors.ts.)
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply) => {
    const oauth =
      error instanceof OAuthError
        ? error
        : error instanceof AccountError
          ? fromAccountError(error)
          : error instanceof ClientError
            ? new OAuthError(
                error.code === 'ERR_CLIENT_NOT_FOUND' ? 'not_found' : 'invalid_request',
                error.message,
              )
            : isStoreError(error, 'ERR_STORE_DUPLICATE')
              ? new OAuthError('invalid_request', 'that name is already taken', { status: 409 })
              : isUnavailableError(error)
                ? new OAuthError(
                    'temporarily_unavailable',
                    'the service is briefly unavailable; retry later',
                    {
                      status: 503,
                      headers: { 'retry-after': '5' },
                    },
                  )
                : fromFastifyError(error as FastifyError);
    if (oauth.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ error: oauth.error, status: oauth.status }, oauth.message);
    sendOAuthError(reply, oauth);
  });
}

/** Writes an OAuth error; RFC 6749 §5.1 asks for no-store on token responses, errors included. */
export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  return reply
    .code(error.status)
    .headers({ 'cache-control': 'no-store', pragma: 'no-cache', ...error.headers })
    .type('application/json; charset=utf-8')
    .send(error.toJSON());
}
