/** The machine and the versions a benchmark ran with, as Markdown list lines. */
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** The version of a package of the workspace (`packages/jwt`) or of node_modules. */
export function versionOf(path: string): string {
  try {
    const url = new URL(`../../${path}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function osName(): string {
  try {
    const release = readFileSync('/etc/os-release', 'utf8');
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1];
    if (pretty) return `${pretty} (${os.type()} ${os.release()}, ${os.arch()})`;
  } catch {
    // not Linux
  }
  return `${os.type()} ${os.release()} ${os.arch()}`;
}

/** CPU model, cores, memory, OS, Node.js and the packages measured. */
export function machineLines(): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores (shared: other work may run beside)`,
    `- Memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- OS: ${osName()}`,
    `- Node.js ${process.versions.node}, V8 ${process.versions.v8}, OpenSSL ${process.versions.openssl}`,
    `- Sesame ${versionOf('packages/server')} (built dist), fastify ${versionOf('node_modules/fastify')}, better-sqlite3 ${versionOf('node_modules/better-sqlite3')}, @node-rs/argon2 ${versionOf('node_modules/@node-rs/argon2')}`,
    `- Peers and tools: oidc-provider ${versionOf('node_modules/oidc-provider')}, fast-jwt ${versionOf('node_modules/fast-jwt')}, jose ${versionOf('node_modules/jose')}, jsonwebtoken ${versionOf('node_modules/jsonwebtoken')}, autocannon ${versionOf('node_modules/autocannon')}, mitata ${versionOf('node_modules/mitata')}`,
  ];
}

/** The 1-minute load average, for the "was the machine quiet" line of each section. */
export function load1(): number {
  return os.loadavg()[0]!;
}
