import {
  collect,
  collectList,
  decodeCommand,
  decryptCommand,
  dpopCommand,
  encryptCommand,
  signCommand,
  verifyCommand,
} from '@sesame/tools';
import type { Command } from 'commander';
import { action, configure } from '../lib/errors.js';

/**
 * Adds `sesame token decode|sign|verify|encrypt|decrypt|dpop` to the program: look inside a token,
 * make one for a test, check one against a key, encrypt one for a recipient and decrypt it, make a
 * DPoP proof for curl — locally, so nobody pastes production tokens into third-party pages.
 *
 * @example
 * const program = new Command('sesame');
 * registerTokenCommands(program);
 * await program.parseAsync(process.argv);
 */
export function registerTokenCommands(program: Command): Command {
  const token = configure(
    program
      .command('token')
      .description('decode, sign, verify, encrypt and decrypt JSON Web Tokens; make DPoP proofs'),
    `  $ sesame token decode eyJhbGciOi...
  $ sesame token sign --key private.pem --sub u1 --aud api --exp 15m
  $ sesame token verify "$TOKEN" --issuer https://id.example.com --aud api
  $ sesame token encrypt "$TOKEN" --key recipient.jwk --cty JWT
  $ sesame token decrypt "$JWE" --key private.jwk`,
  );

  configure(
    token
      .command('decode')
      .description('show the header and claims of a token, with times and warnings (verifies nothing)')
      .argument('[token]', 'the token, or "-" (or nothing) to read it from stdin')
      .option('--json', 'print one JSON document for machines')
      .option('--secret <secret>', 'HMAC secret: check the signature and whether the secret is weak')
      .option(
        '--secret-env <name>',
        'like --secret, read from this environment variable (keeps it out of ps)',
      )
      .option(
        '--weak-secrets <file>',
        'list of leaked secrets, one per line (default: ../shared/vectors/weak-secrets/jwt.secrets.list if present)',
      ),
    `  $ sesame token decode eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2ln
  $ pbpaste | sesame token decode
  $ sesame token decode "$TOKEN" --json | jq .payload.sub
  $ JWT_SECRET=... sesame token decode "$TOKEN" --secret-env JWT_SECRET

Warnings: alg-none, unknown-alg, no-exp, long-lifetime (over a day), expired,
not-yet-valid, unknown-crit, weak-secret (with --secret: on the leaked list,
shorter than the hash, or built from common words). Warnings do not change the exit code.`,
  ).action(action(decodeCommand));

  configure(
    token
      .command('sign')
      .description('sign a JWT with a private key file or an HMAC secret')
      .argument('[payload]', 'JSON claims, or "-" to read them from stdin')
      .option('--key <file>', 'private key: PEM (PKCS#8, PKCS#1, SEC1) or JWK file')
      .option('--secret-env <name>', 'HMAC secret from this environment variable')
      .option('--alg <alg>', 'algorithm (default: from the key; HS256 for --secret-env)')
      .option('--kid <kid>', 'header kid (default: the JWK kid)')
      .option('--typ <typ>', 'header typ (default JWT; "" leaves it out)')
      .option('--sub <subject>', 'sub claim')
      .option('--iss <issuer>', 'iss claim')
      .option('--aud <audience>', 'aud claim (repeat for several)', collect)
      .option('--exp <duration>', 'lifetime: exp = iat + duration ("15m", "1h", "7d", seconds)')
      .option('--nbf <duration>', 'nbf = iat + duration ("0" for now)')
      .option('--jti <id>', 'jti claim')
      .option('--no-iat', 'leave out iat')
      .option('--claim <name=value>', 'a claim; JSON values are parsed (repeatable)', collect)
      .option('--header <name=value>', 'an extra header parameter (repeatable)', collect)
      .option('--weak-secrets <file>', 'list of leaked secrets checked for --secret-env'),
    `  $ sesame token sign --key private.pem --sub u1 --aud api --exp 15m
  $ sesame token sign --key rsa.pem --alg PS256 --claim scope="read write" --claim admin=true
  $ echo '{"sub":"u1","roles":["quiz"]}' | sesame token sign - --key key.jwk --exp 1h
  $ export JWT_SECRET="$(head -c 48 /dev/urandom | base64)"
  $ sesame token sign --secret-env JWT_SECRET --sub u1 --exp 15m

A weak --secret-env secret is signed with but warned about on stderr.`,
  ).action(action(signCommand));

  configure(
    token
      .command('verify')
      .description('verify a token: signature, algorithm and claims; print the claims')
      .argument('[token]', 'the token, or "-" (or nothing) to read it from stdin')
      .option('--key <file>', 'PEM or JWK file (a private key verifies with its public part), or a JWKS file')
      .option('--jwks <url>', 'JWKS URL')
      .option('--issuer <url>', 'issuer: finds jwks_uri in its RFC 8414 metadata and expects iss = this URL')
      .option('--secret-env <name>', 'HMAC secret from this environment variable')
      .option(
        '--alg <alg>',
        "allowed algorithms, repeatable or comma-separated (default: the key's; every asymmetric one for key sets)",
        collectList,
      )
      .option('--aud <audience>', 'expected audience (repeatable: any of)', collect)
      .option('--iss <issuer>', 'expected issuer (repeatable: any of)', collect)
      .option('--sub <subject>', 'expected subject')
      .option('--typ <typ>', 'expected header typ, e.g. at+jwt')
      .option('--clock-tolerance <duration>', 'leeway for exp, nbf and iat (e.g. 30s)')
      .option('--max-age <duration>', 'refuse tokens issued longer ago than this')
      .option('--require <claim>', 'a claim that must be present (repeatable)', collect)
      .option('--allow-http', 'allow plain http URLs for hosts other than localhost'),
    `  $ sesame token verify "$TOKEN" --key private.pem --aud api
  $ sesame token verify "$TOKEN" --jwks https://id.example.com/.well-known/jwks.json --alg ES256
  $ sesame token verify "$TOKEN" --issuer https://id.example.com --aud api --typ at+jwt
  $ JWT_SECRET=... sesame token verify "$TOKEN" --secret-env JWT_SECRET --alg HS256

On failure stderr has one line "error CODE: reason", e.g. error ERR_JWT_EXPIRED: ...`,
  ).action(action(verifyCommand));

  configure(
    token
      .command('encrypt')
      .description('encrypt a plaintext (such as a signed token) as a compact JWE for a recipient key')
      .argument('[plaintext]', 'the plaintext, or "-" to read it from stdin (its last newline dropped)')
      .option(
        '--key <file>',
        "the recipient's key: public or private PEM or JWK, or an oct JWK (A*KW, A*GCMKW, dir)",
      )
      .option(
        '--alg <alg>',
        "key management algorithm (default: the JWK's alg), e.g. RSA-OAEP-256, ECDH-ES+A256KW",
      )
      .option('--enc <enc>', 'content encryption (default A256GCM)')
      .option('--kid <kid>', "header kid (default: the JWK's kid)")
      .option('--cty <cty>', 'header cty; "JWT" when the plaintext is a signed token (a nested JWT)')
      .option('--typ <typ>', 'header typ'),
    `  $ sesame token encrypt "$TOKEN" --key recipient.jwk --cty JWT
  $ sesame token sign --key sig.pem --sub u1 --exp 5m | sesame token encrypt - --key enc.pem --alg RSA-OAEP-256 --cty JWT
  $ sesame token encrypt 'a secret' --key shared.jwk --enc A128CBC-HS256

Algorithms: RSA-OAEP, RSA-OAEP-256, ECDH-ES[+A128KW|+A192KW|+A256KW] (P-256, P-384,
P-521, X25519), A128KW, A192KW, A256KW, A128GCMKW, A192GCMKW, A256GCMKW, dir;
enc: A128GCM, A192GCM, A256GCM, A128CBC-HS256, A192CBC-HS384, A256CBC-HS512.`,
  ).action(action(encryptCommand));

  configure(
    token
      .command('decrypt')
      .description('decrypt a compact JWE and print its plaintext (a nested JWT: its signed token)')
      .argument('[token]', 'the JWE, or "-" (or nothing) to read it from stdin')
      .option(
        '--key <file>',
        'a private PEM or JWK, an oct JWK, or a JWKS of private keys (chosen by kid, alg, curve)',
      )
      .option(
        '--alg <alg>',
        "allowed key management algorithms, repeatable or comma-separated (default: the key's; all for a JWKS)",
        collectList,
      )
      .option(
        '--enc <enc>',
        'allowed content encryption, repeatable or comma-separated (default: all)',
        collectList,
      )
      .option('--json', 'print the protected header and the plaintext as one JSON document'),
    `  $ sesame token decrypt "$JWE" --key private.jwk
  $ sesame token decrypt "$JWE" --key enc.pem --alg RSA-OAEP-256 | sesame token verify - --key sig.pem
  $ sesame token decrypt "$JWE" --key keys.json --json | jq .header

RSA1_5, PBES2-* and zip are refused. On failure stderr has one line "error CODE: reason",
e.g. error ERR_JWE_DECRYPTION_FAILED: ... (exit 1).`,
  ).action(action(decryptCommand));

  configure(
    token
      .command('dpop')
      .description('make a DPoP proof (RFC 9449) for one request, or print the key thumbprint (--jkt)')
      .option('--key <file>', 'private key: PEM or JWK (EC, OKP or RSA; never a secret)')
      .option('--method <method>', 'the HTTP method of the request (htm), e.g. POST')
      .option('--url <url>', 'the URL of the request (htu: its query and fragment are dropped)')
      .option('--access-token <token>', 'the access token the request carries (ath)')
      .option('--access-token-stdin', 'read the access token from stdin (keeps it out of ps)')
      .option('--nonce <nonce>', "the server's DPoP-Nonce")
      .option('--alg <alg>', 'algorithm (default: from the key; an RSA key needs it, e.g. PS256)')
      .option('--jkt', "print the key's RFC 7638 thumbprint (dpop_jkt) instead of a proof"),
    `  $ sesame token dpop --key dpop.pem --method POST --url https://id.example/oauth/token
  $ curl -H "DPoP: $(sesame token dpop --key dpop.pem --method GET --url https://id.example/userinfo --access-token "$AT")" \\
      -H "Authorization: DPoP $AT" https://id.example/userinfo
  $ sesame token dpop --key dpop.pem --jkt

A proof is good for one request: make a new one for each.`,
  ).action(action(dpopCommand));
  return token;
}
