/**
 * Initial access tokens (RFC 7591 §3): what an administrator hands a developer so that one or a
 * few registrations are accepted when `registration` is `token`. The token is shown once and kept
 * as its SHA-256; it is listed and revoked by a short id that is not the token.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DomainContext } from '../context.js';

/** An initial access token as listed: never the token, never its hash. */
export interface InitialAccessTokenInfo {
  id: string;
  label: string;
  createdAt: number;
  expiresAt: number;
  usesLeft: number | null;
}

export interface InitialAccessTokens {
  /** Makes a token; answers it (shown once) with its listing. */
  create(
    options: { label: string; expiresInMs: number; uses: number | null },
    actor: string | null,
  ): Promise<InitialAccessTokenInfo & { token: string }>;
  list(): Promise<InitialAccessTokenInfo[]>;
  /** False when there is no token with this id. */
  revoke(id: string, actor: string | null): Promise<boolean>;
}

/**
 * @example const { token } = await createInitialAccessTokens(ctx).create({ label: 'partner', expiresInMs: 86_400_000, uses: 1 }, 'cli');
 */
export function createInitialAccessTokens(ctx: DomainContext): InitialAccessTokens {
  const { store } = ctx;
  return Object.freeze({
    async create(options, actor) {
      const token = randomBytes(32).toString('base64url');
      const info: InitialAccessTokenInfo = {
        // Hex: an id that starts with '-' would be read as an option by the CLI.
        id: randomBytes(6).toString('hex'),
        label: options.label,
        createdAt: ctx.now(),
        expiresAt: ctx.now() + options.expiresInMs,
        usesLeft: options.uses,
      };
      await store.createInitialAccessToken({
        ...info,
        tokenHash: createHash('sha256').update(token, 'utf8').digest('hex'),
      });
      await ctx.audit({
        type: 'admin.registration-token.created',
        actor,
        subject: info.id,
        details: { label: info.label, expiresAt: info.expiresAt, uses: info.usesLeft },
      });
      return { ...info, token };
    },
    async list() {
      return (await store.listInitialAccessTokens()).map(({ tokenHash: _, ...info }) => info);
    },
    async revoke(id, actor) {
      if (!(await store.deleteInitialAccessToken(id))) return false;
      await ctx.audit({ type: 'admin.registration-token.revoked', actor, subject: id, details: {} });
      return true;
    },
  } satisfies InitialAccessTokens);
}
