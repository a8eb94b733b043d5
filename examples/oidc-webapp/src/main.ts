/**
 * `npm start -w examples/oidc-webapp`: the web app on BASE_URL (default http://127.0.0.1:3000),
 * signing users in with the Sesame at SESAME_ISSUER (default http://127.0.0.1:8080) as the client
 * CLIENT_ID / CLIENT_SECRET (see the README for registering it).
 */
import { randomBytes } from 'node:crypto';
import { createWebapp } from './app.js';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === '') {
    process.stderr.write(`oidc-webapp: set ${name} (see examples/oidc-webapp/README.md)\n`);
    process.exit(2);
  }
  return value;
};

const baseUrl = env('BASE_URL', 'http://127.0.0.1:3000');
const app = createWebapp({
  issuer: env('SESAME_ISSUER', 'http://127.0.0.1:8080'),
  clientId: env('CLIENT_ID'),
  clientSecret: env('CLIENT_SECRET'),
  baseUrl,
  // Without SESSION_SECRET, a new one each start: signed-in users sign in again after a restart.
  sessionSecret: process.env.SESSION_SECRET || randomBytes(32).toString('base64url'),
});
const url = new URL(baseUrl);
const server = app.listen(Number(url.port || 80), url.hostname, () => {
  process.stdout.write(`oidc-webapp listening on ${baseUrl}\n`);
});
server.on('error', (error) => {
  process.stderr.write(`oidc-webapp: ${error.message}\n`);
  process.exit(1);
});
process.once('SIGTERM', () => server.close());
