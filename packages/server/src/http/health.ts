import type { FastifyInstance } from 'fastify';
import { typedRoutes } from './typed-routes.js';

const statusSchema = {
  type: 'object',
  properties: {
    status: { type: 'string' },
    dependencies: { type: 'object', additionalProperties: { type: 'string', enum: ['ok', 'unavailable'] } },
  },
  required: ['status'],
} as const;

/** GET /healthz (the process answers) and GET /readyz (the store answers too). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  typedRoutes(app).get(
    '/healthz',
    { schema: { tags: ['health'], summary: 'Liveness', response: { 200: statusSchema } } },
    async () => ({ status: 'ok' }),
  );
  typedRoutes(app).get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: the store is reachable and the server is not stopping',
        response: { 200: statusSchema, 503: statusSchema },
      },
    },
    async (request, reply) => {
      // First thing on SIGTERM: not ready, while requests are still served (shutdownDelay).
      if (app.sesame.health.stopping) return reply.code(503).send({ status: 'stopping' });
      try {
        await app.sesame.health.ping();
        // Redis down is reported, not fatal: tokens are still issued (docs/deploy.md).
        const dependencies = app.sesame.health.dependencies();
        if (dependencies && Object.values(dependencies).some((state) => state !== 'ok'))
          return { status: 'degraded', dependencies };
        return dependencies ? { status: 'ok', dependencies } : { status: 'ok' };
      } catch (error) {
        request.log.warn({ err: error }, 'store unreachable');
        return reply.code(503).header('retry-after', '5').send({ status: 'unavailable' });
      }
    },
  );
}
