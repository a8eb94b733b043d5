/**
 * Before anything is timed, proves that every contender does the work it is timed for: each verifier
 * accepts every contender's token, and rejects a bad signature, a wrong or missing audience, a wrong or
 * missing issuer and an expired token. A verifier that skipped a check would make its figures
 * meaningless, so the run stops instead.
 */
import * as sesame from '@sesame/jwt';
import type { KeyMaterial } from './keys.js';
import { type Claims, type Contender, contenders } from './scenario.js';

async function accepts(contender: Contender, token: string): Promise<boolean> {
  try {
    await contender.verify(token);
    return true;
  } catch {
    return false;
  }
}

function flipSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = token.slice(dot + 1);
  // Change the first character, which carries 6 whole bits of the signature.
  const first = signature[0] === 'A' ? 'B' : 'A';
  return `${token.slice(0, dot + 1)}${first}${signature.slice(1)}`;
}

/** Throws on the first contender that accepts a bad token or refuses a good one. */
export async function checkContenders(keys: KeyMaterial, claims: Claims): Promise<string> {
  const list = contenders(keys, claims);
  const key = sesame.importKey(keys.signKey, keys.alg);
  const now = Math.floor(Date.now() / 1000);
  const forge = (options: sesame.SignOptions) => sesame.sign(claims.payload, key, options);
  const good = forge({ issuer: claims.issuer, audience: claims.audience, expiresIn: 900 });
  const bad: Record<string, string> = {
    'bad signature': flipSignature(good),
    'wrong audience': forge({ issuer: claims.issuer, audience: 'https://other.example.com', expiresIn: 900 }),
    'wrong issuer': forge({ issuer: 'https://evil.example.com', audience: claims.audience, expiresIn: 900 }),
    'no audience': forge({ issuer: claims.issuer, expiresIn: 900 }),
    'no issuer': forge({ audience: claims.audience, expiresIn: 900 }),
    expired: forge({ issuer: claims.issuer, audience: claims.audience, expiresIn: 60, issuedAt: now - 3600 }),
  };
  const tokens: string[] = [];
  for (const signer of list) {
    const token = await signer.sign(claims.payload);
    // Every signer must produce the same token shape: {alg, typ} and the payload plus iss, aud, iat, exp.
    const { header, payload } = sesame.decode(token);
    const shape = `${Object.keys(header).sort()} / ${Object.keys(payload).sort()}`;
    const expected = `alg,typ / ${[...Object.keys(claims.payload), 'iss', 'aud', 'iat', 'exp'].sort()}`;
    if (shape !== expected || payload.exp !== (payload.iat as number) + 900) {
      throw new Error(
        `${keys.alg}: ${signer.name} signs ${shape}, expected ${expected} with a 900 s lifetime`,
      );
    }
    tokens.push(token);
  }
  for (const verifier of list) {
    for (const [index, token] of [good, ...tokens].entries()) {
      if (!(await accepts(verifier, token))) {
        const from = index === 0 ? 'the reference' : list[index - 1]!.name;
        throw new Error(`${keys.alg}: ${verifier.name} refuses ${from}'s token`);
      }
    }
    // The floor checks only the signature, by definition.
    const cases = verifier.name === 'floor' ? ['bad signature'] : Object.keys(bad);
    for (const name of cases) {
      if (await accepts(verifier, bad[name]!))
        throw new Error(`${keys.alg}: ${verifier.name} accepts ${name}`);
    }
  }
  return good;
}
