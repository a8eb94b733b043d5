import { badInput, usage } from '@sesame/tools';
import { CliError } from './failure.js';

/** Reads a password from stdin (`--password-stdin`): the first line, without its line break. */
export async function readPasswordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) throw badInput('the password on stdin is too long');
    chunks.push(chunk as Buffer);
  }
  const password = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (password === '') throw badInput('no password on stdin');
  return password;
}

/**
 * Prompts for a password on the terminal without echoing it (raw mode, read key by key), asking
 * twice. Refuses when stdin is not a terminal: scripts use --password-stdin.
 */
export async function promptPassword(label = 'Password'): Promise<string> {
  if (!process.stdin.isTTY) throw usage('stdin is not a terminal: use --password-stdin');
  const first = await promptOnce(`${label}: `);
  const second = await promptOnce(`${label} again: `);
  if (first !== second) throw badInput('the passwords do not match');
  if (first === '') throw badInput('the password is empty');
  return first;
}

function promptOnce(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (keys: string) => {
      for (const key of keys) {
        if (key === '\r' || key === '\n' || key === '\u0004') return done();
        if (key === '\u0003') return done(new CliError('ERR_CLI_CANCELLED', 'cancelled', 130));
        if (key === '\u007f' || key === '\b') typed = typed.slice(0, -1);
        else if (key >= ' ') typed += key;
      }
    };
    input.on('data', onData);
  });
}
