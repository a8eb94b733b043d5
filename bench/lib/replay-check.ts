/**
 * Checks the haproxy retry rules of haproxy.ts directly, not by chance: two stub servers behind
 * the same config, one that reads each token request and never answers, one that answers. One
 * client_credentials and one refresh_token request are held by the first; it is SIGKILLed. The
 * rules say: the client_credentials request fails (502, not replayed), the refresh_token request is
 * replayed to the other server (200). In the Sesame kill test, whether a request is caught inside
 * the dying instance is a matter of timing; here it is certain.
 */
import { spawn } from 'node:child_process';
import { startHaproxy } from './haproxy.js';
import { freePort, killOnExit } from './processes.js';

const STUB = `
const http = require('node:http');
const [port, mode] = process.argv.slice(1);
http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    if (req.url === '/readyz' || mode === 'answer') return res.end('{}');
    process.stdout.write('held\\n');
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('up\\n'));
`;

function stub(port: number, mode: 'hold' | 'answer') {
  const child = spawn(process.execPath, ['-e', STUB, String(port), mode], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const guard = killOnExit(child.pid!);
  let output = '';
  const waiting = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    for (const check of waiting) check();
  });
  /** Resolves once the stub has printed `text` at least `times` times. */
  const printed = (text: string, times: number) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (output.split(text).length - 1 < times) return;
        waiting.delete(check);
        resolve();
      };
      waiting.add(check);
      child.once('exit', () => reject(new Error(`the stub exited before printing ${text}`)));
      check();
    });
  return { child, printed, guard };
}

export interface ReplayCheck {
  /** Status the held client_credentials request got (502 expected: not replayed). */
  clientCredentials: number;
  /** Status the held refresh_token request got (200 expected: replayed to the other server). */
  refreshToken: number;
}

export async function replayCheck(): Promise<ReplayCheck> {
  const [holdPort, answerPort] = [await freePort(), await freePort()];
  const holder = stub(holdPort, 'hold');
  const answerer = stub(answerPort, 'answer');
  try {
    await Promise.all([holder.printed('up', 1), answerer.printed('up', 1)]);
    const haproxy = await startHaproxy({
      servers: [
        { name: 'held', port: holdPort },
        { name: 'other', port: answerPort },
      ],
      retryRules: 'safe',
    });
    try {
      const post = (body: string) =>
        fetch(`${haproxy.url}/oauth/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }).then((response) => response.status);
      // Round robin over two servers: of two requests in a row, one reaches each. The pair's
      // answered request settles first; the other is then held.
      const pair = async (body: string, held: number) => {
        const requests = [post(body), post(body)];
        const first = await Promise.race(requests.map((request, i) => request.then(() => i)));
        await holder.printed('held', held);
        // Wrapped: an async function returning the promise itself would wait for it.
        return { held: requests[1 - first]! };
      };
      const cc = await pair('grant_type=client_credentials&scope=api', 1);
      const refresh = await pair('grant_type=refresh_token&refresh_token=x', 2);
      holder.child.kill('SIGKILL');
      return { clientCredentials: await cc.held, refreshToken: await refresh.held };
    } finally {
      await haproxy.stop();
    }
  } finally {
    for (const { child, guard } of [holder, answerer]) {
      child.kill('SIGKILL');
      guard.forget();
    }
  }
}
