import type { FastifyPluginAsync } from 'fastify';
import { authorizationEndpoint } from '../oauth/authorize.js';
import { endSessionEndpoint } from '../oauth/end-session.js';
import { debuggerPage } from './debugger/routes.js';
import { homePageRoute } from './home.js';

/**
 * Web pages served beside the API (the landing page at /, the token debugger, login pages). Each is a Fastify plugin
 * registered after the API routes; adding a page is one line in this list.
 */
export const WEB_PLUGINS: readonly FastifyPluginAsync[] = [
  homePageRoute,
  debuggerPage,
  authorizationEndpoint,
  endSessionEndpoint,
];
