/**
 * Sesame with the invite grant added, configured like `sesame serve` (SESAME_* variables):
 * `npm start -w examples/custom-grant`. It prints one invite for the user named by INVITE_USER.
 */
import { buildApp, DEFAULT_GRANTS, loadConfig, openStore } from '@sesame/server';
import { createInviteBook, inviteGrant } from './invite-grant.js';

const config = loadConfig({ env: process.env });
const store = await openStore(config);
const book = createInviteBook();
const app = await buildApp({ config, store, grants: [...DEFAULT_GRANTS, inviteGrant(book)] });
app.addHook('onClose', () => store.close());
await app.listen({ port: config.port, host: config.host });
if (process.env.INVITE_USER)
  console.log(`invite for ${process.env.INVITE_USER}: ${book.invite(process.env.INVITE_USER)}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
