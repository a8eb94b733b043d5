/**
 * The one way the server fetches a client's `jwks_uri`: a `fetch` for @sesame/jwt's remote key set
 * that only ever connects to public addresses (public-address.ts), checked on the addresses DNS
 * answered, at connect time, so a name that resolves to 127.0.0.1 (or is re-pointed there after
 * registration: DNS rebinding) is refused like the literal address. https only; no redirects are
 * followed (a 3xx is answered as is, and the key set refuses anything but 200); the body is cut
 * off past `maxBytes`; the caller's signal bounds the whole exchange. With `allowPrivate` (a
 * deployment's explicit switch, for tests and development) http and every address are allowed.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostAddress, isPublicAddress } from './public-address.js';

export interface KeySetFetchOptions {
  /** Allow http and private, loopback and link-local addresses (config `jwksUriAllowPrivate`). */
  allowPrivate: boolean;
  /** Largest key set accepted, in bytes (default 64 KiB: a few dozen RSA keys). */
  maxBytes?: number;
  /** DNS resolution (tests give a fixed answer); default node:dns lookup. */
  lookup?: typeof dnsLookup;
}

/** Why a fetch was refused before or while connecting; its message names no secret. */
export class KeySetFetchRefused extends Error {
  override readonly name = 'KeySetFetchRefused';
}

const DEFAULT_MAX_BYTES = 64 * 1024;

/**
 * A `fetch` that only answers GETs of key sets under the rules above.
 *
 * @example createRemoteKeySet(client.jwksUri, { fetch: createKeySetFetch({ allowPrivate: false }) })
 */
export function createKeySetFetch(options: KeySetFetchOptions): typeof globalThis.fetch {
  const { allowPrivate } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const resolve = options.lookup ?? dnsLookup;

  // Called by the socket for every connection: the addresses checked are those connected to.
  const guardedLookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve(hostname, { ...lookupOptions, all: true }, (error, found) => {
      if (error) return callback(error, '', 4);
      const addresses = found as unknown as LookupAddress[];
      // Every answer must be public: a name answering one public and one private address would
      // otherwise reach the private one on a retry or another family.
      if (!allowPrivate && (addresses.length === 0 || addresses.some((a) => !isPublicAddress(a.address)))) {
        return callback(new KeySetFetchRefused('the key set host resolves to a non-public address'), '', 4);
      }
      if (lookupOptions.all) return (callback as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0]!;
      callback(null, first.address, first.family);
    });
  };

  const fetchKeySet = (input: string | URL | Request, init?: RequestInit): Promise<Response> =>
    new Promise<Response>((done, fail) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
        return fail(new KeySetFetchRefused('the key set URL must be https'));
      }
      // An IP literal is never looked up: check it here, before any connection.
      const literal = hostAddress(url);
      if (literal !== undefined && !allowPrivate && !isPublicAddress(literal)) {
        return fail(new KeySetFetchRefused('the key set URL names a non-public address'));
      }
      const client = url.protocol === 'https:' ? https : http;
      const headers = Object.fromEntries(new Headers(init?.headers).entries());
      const request = client.request(
        url,
        { method: 'GET', headers, lookup: guardedLookup, signal: init?.signal ?? undefined },
        (response) => {
          const status = response.statusCode ?? 502;
          if (status !== 200) {
            // Never read (or follow) anything but the key set itself.
            response.destroy();
            return done(new Response(null, { status: status >= 200 && status <= 599 ? status : 502 }));
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) {
              request.destroy(new KeySetFetchRefused(`the key set is larger than ${maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          response.on('error', fail);
          response.on('aborted', () => fail(new KeySetFetchRefused('the key set response was cut off')));
          response.on('end', () => {
            const type = response.headers['content-type'];
            done(
              new Response(Buffer.concat(chunks), {
                status,
                headers: type === undefined ? {} : { 'content-type': type },
              }),
            );
          });
        },
      );
      request.on('error', fail);
      request.end();
    });
  return fetchKeySet as typeof globalThis.fetch;
}
