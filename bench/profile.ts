/**
 * `npx tsx bench/profile.ts [cc|refresh] [--seconds N] [--store postgres]`: runs `sesame serve`
 * under `node --cpu-prof`, puts one scenario's load on it, and prints the functions with the most
 * self time (and the profile's path, for Chrome DevTools). How the token path's costs were found.
 * `--store postgres` runs it on PostgreSQL + Redis (a schema and key prefix of its own, dropped
 * after), configured as bench:distributed configures it, so the two stores' profiles compare.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshDistributedStore } from './lib/instances.js';
import { measure } from './lib/load.js';
import { refreshRotation } from './lib/refresh-load.js';
import { addClient, addUser, basic, startSesame } from './lib/sesame.js';

const args = process.argv.slice(2);
const scenario = args.find((arg) => !arg.startsWith('--') && !/^\d+$/.test(arg)) ?? 'cc';
const at = args.indexOf('--seconds');
const seconds = at === -1 ? 8 : Number(args[at + 1]);
const postgres = args[args.indexOf('--store') + 1] === 'postgres';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const dir = `/tmp/sesame-profile-${process.pid}`;
const store = postgres ? await freshDistributedStore('profile') : undefined;
const sesame = await startSesame({
  env: store?.env ?? {},
  nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
const tokenUrl = `${sesame.issuer}/oauth/token`;
const load = { connections: 32, seconds, warmupSeconds: 2 };
try {
  if (scenario === 'cc') {
    const cc = await addClient(sesame, 'profile-service', 'client_credentials', 'api');
    const headers = { authorization: basic(cc), 'content-type': 'application/x-www-form-urlencoded' };
    await measure(
      {
        name: 'client_credentials: Sesame (profiled)',
        url: tokenUrl,
        method: 'POST',
        headers,
        body: 'grant_type=client_credentials&scope=api',
        pid: sesame.pid,
      },
      load,
    );
  } else if (scenario === 'refresh') {
    const app = await addClient(sesame, 'profile-app', 'password,refresh_token', 'openid api');
    const password = randomBytes(18).toString('base64url');
    await addUser(sesame, 'profile-user', password, 'openid api');
    const rotation = await refreshRotation(
      { tokenUrl, client: app, username: 'profile-user', password, scope: 'openid api', size: 64 },
      { name: 'refresh_token: Sesame (profiled)' },
    );
    await measure(rotation, load);
  } else {
    throw new Error(`no scenario ${scenario}: cc or refresh`);
  }
} finally {
  await sesame.dispose();
  await store?.drop();
}

const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
if (file === undefined) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
const self = new Map<number, number>();
for (const [index, id] of profile.samples.entries()) {
  self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
}
const byName = new Map<string, number>();
let total = 0;
for (const node of profile.nodes) {
  const time = self.get(node.id) ?? 0;
  total += time;
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/packages\//, '');
  const name = `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
  byName.set(name, (byName.get(name) ?? 0) + time);
}
const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 30);
process.stdout.write(`\nself time, top 30 of ${(total / 1000).toFixed(0)} ms (${join(dir, file)}):\n`);
for (const [name, time] of top) {
  process.stdout.write(`${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}
