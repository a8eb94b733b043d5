import type { FastifyBaseLogger, FastifyRequest } from 'fastify';
import { symbols } from 'pino';
import pinoPretty from 'pino-pretty';
import type { SesameConfig } from './config/config.js';

/** Parameter names whose values are credentials: never logged, whether in a query or an object. */
export const SENSITIVE_NAMES = [
  'password',
  'new_password',
  'client_secret',
  'refresh_token',
  'access_token',
  'token',
  'id_token',
  'code',
  'code_verifier',
  'assertion',
  'secret',
  'hmacSecret',
  // WeChat login: the one-time code and the session key jscode2session answers with.
  'js_code',
  'session_key',
] as const;

const SENSITIVE = new Set<string>(SENSITIVE_NAMES);

/**
 * Pino paths to censor. Fastify does not log bodies; these catch any object a handler logs and the
 * credential headers of the request serializer.
 */
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_NAMES.flatMap((name) => [name, `*.${name}`, `body.${name}`, `params.${name}`]),
];

/**
 * A URL with the values of credential parameters replaced: RFC 6750 §2.3 allows an access token in
 * the query, and a client may put anything there, so no query value of those names is logged.
 *
 * @example redactUrl('/userinfo?access_token=eyJ...') // '/userinfo?access_token=[redacted]'
 */
export function redactUrl(url: string): string {
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const query = url
    .slice(mark + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals === -1 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // a malformed name is logged as sent
      }
      return SENSITIVE.has(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, mark)}?${query}`;
}

/** The pino options of the server: level from the configuration, credentials redacted. */
export function loggerOptions(config: Pick<SesameConfig, 'logLevel'>) {
  return {
    level: config.logLevel,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: redactUrl(request.url),
          remoteAddress: request.ip,
        };
      },
    },
  };
}

type Stringify = (value: unknown, safe?: unknown) => string | undefined;

/**
 * Skips the `*.name` redaction for scalar values, which have no properties to censor. pino runs that
 * wildcard redactor on every value of every line without a redactor of its own (each field of the
 * access line, the message, a child's bindings), and @pinojs/redact walks all its paths even for a
 * string: a tenth of the token endpoint's CPU. For a scalar it returns JSON.stringify(value), so
 * this returns the same, and objects still go through it. Child loggers share the root's table.
 *
 * @example skipRedactionOfScalars(app.log);
 */
export function skipRedactionOfScalars(logger: FastifyBaseLogger): void {
  const stringifiers = (logger as unknown as Record<symbol, Record<symbol, Stringify> | undefined>)[
    symbols.stringifiersSym
  ];
  const wildcard = stringifiers?.[symbols.wildcardFirstSym];
  if (stringifiers === undefined || wildcard === undefined) return;
  stringifiers[symbols.wildcardFirstSym] = (value, safe) =>
    value === null || typeof value !== 'object' ? JSON.stringify(value) : wildcard(value, safe);
}

/**
 * Whether log lines are printed pretty: `pretty` and `json` say so; `auto` (the default) is pretty
 * when standard output is a terminal (someone reads it) and JSON otherwise (a file, a pipe, a log
 * collector).
 *
 * @example prettyLogs({ logFormat: 'auto' }, process.stdout.isTTY === true)
 */
export function prettyLogs(config: Pick<SesameConfig, 'logFormat'>, isTerminal: boolean): boolean {
  return config.logFormat === 'pretty' || (config.logFormat === 'auto' && isTerminal);
}

/**
 * Turns one pino JSON line into one readable line (`12:00:01.250 INFO: request completed {...}`),
 * colored on a terminal. Redaction happened before: the line it gets is already censored.
 *
 * @example const pretty = prettyLine(true); stream.write(pretty(jsonLine));
 */
export function prettyLine(colorize: boolean): (line: string) => string {
  return pinoPretty.prettyFactory({
    colorize,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}
