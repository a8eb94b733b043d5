import type { FastifyRequest } from 'fastify';

/** Who makes an admin change, for the audit trail: the subject of the admin token, if any. */
export function actorOf(request: FastifyRequest): string | null {
  return request.tokenClaims?.sub ?? null;
}
