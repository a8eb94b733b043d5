import { describe, expect, it } from 'vitest';
import { consentPage } from '../../src/http/web/login/pages.js';
import { oneLineError, runCli, tempDir } from './run-cli.js';

describe('sesame scopes', () => {
  it('sets descriptions, lists them, and refuses a bad name or text in one line', async () => {
    const env = { SESAME_DATA_DIR: tempDir() };
    const set = await runCli(
      ['scopes', 'set', 'quiz', '--description', 'Answer quiz questions and keep your score'],
      {
        main: true,
        env,
      },
    );
    expect({ code: set.code, stderr: set.stderr }).toEqual({ code: 0, stderr: '' });
    expect(set.stdout).toBe('scope quiz: Answer quiz questions and keep your score\n');
    await runCli(['scopes', 'set', 'quiz', '--description', 'Play the quiz'], { main: true, env });
    const list = await runCli(['scopes', 'list', '--json'], { main: true, env });
    expect(JSON.parse(list.stdout)).toEqual({ quiz: 'Play the quiz' });

    const badName = await runCli(['scopes', 'set', 'a b', '--description', 'x'], { main: true, env });
    expect(oneLineError(badName.stderr).code).toBe('ERR_CLI_INPUT');
    const twoLines = await runCli(['scopes', 'set', 'quiz', '--description', 'one\ntwo'], {
      main: true,
      env,
    });
    expect(oneLineError(twoLines.stderr).code).toBe('ERR_CLI_INPUT');
  }, 90_000);
});

describe('the consent page', () => {
  const page = (descriptions?: Record<string, string>) =>
    consentPage({
      clientName: 'Quiz',
      username: 'alice',
      scopes: ['openid', 'quiz'],
      descriptions,
      hidden: {},
    });

  it('shows a scope described with the CLI, escaped, and the built-in words of the others', () => {
    const html = page({ quiz: 'Play <the> quiz' });
    expect(html).toContain('<li><code>quiz</code> — Play &lt;the&gt; quiz</li>');
    expect(html).toContain('<li><code>openid</code> — Know who you are');
  });
  it('shows an undescribed scope by its name alone', () => {
    expect(page()).toContain('<li><code>quiz</code></li>');
  });
});
