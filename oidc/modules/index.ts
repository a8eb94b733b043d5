/**
 * Every module, in the order of the OIDF plans: Config OP, Basic OP, Form Post OP, the Dynamic
 * plan's key rotation, RP-Initiated Logout OP, Back-Channel Logout OP.
 */
import type { Module } from '../lib/module.js';
import { basicModules } from './basic.js';

export const MODULES: readonly Module[] = [...basicModules];
