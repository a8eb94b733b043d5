/**
 * Every module, in the order of the OIDF plans: Config OP, Basic OP, Form Post OP, the Dynamic
 * plan's RS256 ID token and key rotation, RP-Initiated Logout OP, Back-Channel Logout OP.
 */
import type { Module } from '../lib/module.js';
import { basicModules } from './basic.js';
import { configModules } from './config.js';
import { formPostModules } from './form-post.js';
import { hintModules } from './hints.js';
import { logoutModules } from './logout.js';
import { promptModules } from './prompt.js';
import { requestModules } from './requests.js';
import { scopeModules } from './scopes.js';
import { tokenModules } from './tokens.js';

const [discovery, rotateKeys, rs256] = configModules as [Module, Module, Module];

export const MODULES: readonly Module[] = [
  discovery,
  ...basicModules,
  ...scopeModules,
  ...promptModules,
  ...hintModules,
  ...tokenModules,
  ...requestModules,
  ...formPostModules,
  rs256,
  rotateKeys,
  ...logoutModules,
];
