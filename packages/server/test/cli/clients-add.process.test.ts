/**
 * `sesame clients add quiz-app` registers a client under a label and prints a random client_id; the
 * README once read as if `quiz-app` were the id. The command says which is which.
 */
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

describe('sesame clients add', { timeout: 60_000 }, () => {
  it('prints the random client_id and says the name is only a label', async () => {
    const dataDir = tempDir();
    const app = await runCli(
      ['clients', 'add', 'quiz-app', '--public', '--grant', 'password,refresh_token', '--data-dir', dataDir],
      { main: true },
    );
    expect(app.code, app.stderr).toBe(0);
    const id = /^client_id: (\S+)\n$/.exec(app.stdout)?.[1];
    expect(id).toMatch(/^[0-9a-f]{16,}$/);
    // (Other notes may come first, such as the one about the password grant.)
    expect(app.stderr).toContain('("quiz-app" is a label: clients send the client_id above)\n');

    const api = await runCli(['clients', 'add', 'quiz-api', '--data-dir', dataDir], { main: true });
    expect(api.stdout).toMatch(/^client_id: [0-9a-f]{16,}\nclient_secret: \S+\n$/);
    expect(api.stderr).toBe(
      '("quiz-api" is a label: clients send the client_id above; the secret is shown once: store it now)\n',
    );
    const listed = await runCli(['clients', 'list', '--data-dir', dataDir], { main: true });
    expect(listed.stdout).toContain(`${id}\tpublic\t`);
  });
});
