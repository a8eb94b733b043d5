import type { Command } from 'commander';
import { commandGroup } from '../command-group.js';
import { registerAudit } from './audit.js';
import { registerBackup } from './backup.js';
import { registerClients } from './clients.js';
import { registerConsents } from './consents.js';
import { registerDistributed } from './distributed.js';
import { registerKeyTools } from './key-tools.js';
import { registerKeys } from './keys.js';
import { registerRegistration } from './registration.js';
import { registerScopes } from './scopes.js';
import { registerServe } from './serve.js';
import { registerTokenCommands } from './token.js';
import { registerUsers } from './users.js';
import { registerWechatApp } from './wechat.js';

export { commandGroup } from '../command-group.js';

/** Adds a command group (or more subcommands of one) to the `sesame` program. */
export type RegisterCommands = (program: Command) => void;

/** Every command group of `sesame`; a new group is one line here. */
export const COMMANDS: readonly RegisterCommands[] = [
  registerServe,
  registerUsers,
  registerClients,
  registerScopes,
  registerKeys,
  (program) => registerKeyTools(commandGroup(program, 'keys', 'signing keys')),
  registerTokenCommands,
  registerConsents,
  (program) => registerWechatApp(commandGroup(program, 'clients', 'manage OAuth clients')),
  registerDistributed,
  registerBackup,
  registerAudit,
  registerRegistration,
];
