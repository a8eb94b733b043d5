import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GuardError } from './errors.js';
import type { AccessTokenClaims, Guard } from './guard.js';

declare global {
  namespace Express {
    interface Request {
      /** The verified access token's claims, set by the Sesame guard middleware. */
      auth?: AccessTokenClaims;
    }
  }
}

/** Sends a GuardError per RFC 6750 §3 (status, WWW-Authenticate, Retry-After, JSON error body). */
export function sendGuardError(res: Response, error: GuardError): void {
  res.status(error.status).set('www-authenticate', error.wwwAuthenticate).set('cache-control', 'no-store');
  if (error.retryAfter !== undefined) res.set('retry-after', String(error.retryAfter));
  const body = error.toJSON();
  if (body === undefined) res.end();
  else res.json(body);
}

/**
 * Express middleware requiring a valid bearer token carrying every one of `scopes`; sets `req.auth`.
 * A request already authenticated by an earlier guard middleware only has its scopes checked.
 *
 * @example
 * const auth = expressGuard(guard);
 * app.get('/me', auth(), (req, res) => res.json(req.auth));
 * app.post('/questions', auth('admin'), handler);
 */
export function expressGuard(guard: Guard): (...scopes: string[]) => RequestHandler {
  return (...scopes) =>
    function sesameGuard(req: Request, res: Response, next: NextFunction): void {
      const done = (claims: AccessTokenClaims) => {
        req.auth = claims;
        next();
      };
      const fail = (error: unknown) => {
        if (error instanceof GuardError) sendGuardError(res, error);
        else next(error);
      };
      if (req.auth !== undefined) {
        try {
          guard.checkScopes(req.auth, scopes);
          next();
        } catch (error) {
          fail(error);
        }
        return;
      }
      const request = {
        method: req.method,
        url: `${req.protocol}://${req.get('host')}${req.originalUrl}`,
        dpop: req.headers.dpop,
      };
      guard.authenticate(req.headers.authorization, { scopes, request }).then(done, fail);
    };
}
