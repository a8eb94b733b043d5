import type { ClaimRow, TokenWarning } from './analysis.js';

/** ANSI styles; every function is the identity when colour is off. */
export interface Palette {
  heading(text: string): string;
  key(text: string): string;
  string(text: string): string;
  number(text: string): string;
  literal(text: string): string;
  dim(text: string): string;
  warn(text: string): string;
  ok(text: string): string;
}

function style(open: number, enabled: boolean): (text: string) => string {
  return enabled ? (text) => `\u001b[${open}m${text}\u001b[0m` : (text) => text;
}

/**
 * Colour when stdout is a terminal, unless NO_COLOR is set (no-color.org); FORCE_COLOR turns it
 * on for pipes (used by the tests and by people piping into `less -R`).
 */
export function colourEnabled(stream: NodeJS.WriteStream = process.stdout): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '' && force !== '0') return true;
  return stream.isTTY === true;
}

export function palette(enabled: boolean): Palette {
  return {
    heading: style(1, enabled),
    key: style(36, enabled),
    string: style(32, enabled),
    number: style(33, enabled),
    literal: style(35, enabled),
    dim: style(2, enabled),
    warn: style(33, enabled),
    ok: style(32, enabled),
  };
}

/** Pretty JSON with keys, strings, numbers and literals coloured. */
export function colourJson(value: unknown, colours: Palette): string {
  const text = JSON.stringify(value, null, 2);
  return text.replace(
    /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g,
    (match, quoted: string | undefined, colon: string | undefined, number: string | undefined) => {
      if (quoted !== undefined) return colon ? colours.key(quoted) + colon : colours.string(quoted);
      if (number !== undefined) return colours.number(number);
      return colours.literal(match);
    },
  );
}

/** What `sesame token decode` prints for people. */
export interface DecodedView {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signature: string;
  claims: ClaimRow[];
  warnings: TokenWarning[];
  /** The result of checking the signature with `--secret`, when one was given. */
  secretCheck: string | undefined;
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The human rendering: header, payload, a claims table, the signature line, warnings. */
export function renderDecoded(view: DecodedView, colours: Palette): string {
  const lines: string[] = [];
  lines.push(colours.heading('Header'), colourJson(view.header, colours), '');
  lines.push(colours.heading('Payload'), colourJson(view.payload, colours), '');
  if (view.claims.length > 0) {
    lines.push(colours.heading('Claims'));
    const width = Math.max(...view.claims.map((row) => row.name.length));
    const values = view.claims.map((row) =>
      row.time ? `${row.time.iso}  (${row.time.relative})` : short(row.value),
    );
    const valueWidth = Math.min(48, Math.max(...values.map((value) => value.length)));
    view.claims.forEach((row, i) => {
      const meaning = row.meaning ? `  ${colours.dim(row.meaning)}` : '';
      lines.push(
        `  ${colours.key(row.name.padEnd(width))}  ${values[i]!.padEnd(valueWidth)}${meaning}`.trimEnd(),
      );
    });
    lines.push('');
  }
  const bytes = Buffer.from(view.signature, 'base64url').length;
  lines.push(
    `${colours.heading('Signature')}  ${view.signature.length === 0 ? 'none' : `${bytes} bytes`}, ${
      view.secretCheck ?? 'not verified (use sesame token verify)'
    }`,
  );
  if (view.warnings.length > 0) {
    lines.push('', colours.heading('Warnings'));
    for (const warning of view.warnings)
      lines.push(`  ${colours.warn('!')} ${warning.code}: ${warning.message}`);
  }
  return `${lines.join('\n')}\n`;
}
