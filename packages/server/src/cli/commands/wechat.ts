import type { Command } from 'commander';
import { commandConfig, withExistingStore, withStoreOptions } from '../context.js';
import { refused, usage } from '../failure.js';

interface WechatOptions {
  dataDir?: string;
  config?: string;
  appid?: string;
  secretEnv?: string;
  remove?: boolean;
}

const APPID = /^[A-Za-z0-9_-]{1,64}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/**
 * `sesame clients wxapp <client_id> --appid wx… --secret-env NAME`: the WeChat mini-program of a
 * client. The AppSecret is never given to the CLI nor stored: the server reads it from its own
 * environment variable NAME at each login, so it is in no database, backup, argv or shell history.
 * The client is also allowed the wxapp grant.
 */
export function registerWechatApp(clients: Command): void {
  withStoreOptions(clients.command('wxapp <client_id>'))
    .description('set (or --remove) the WeChat mini-program of a client, for the wxapp grant')
    .option('--appid <appid>', 'the mini-program AppID (wx…)')
    .option('--secret-env <NAME>', 'the environment variable of `sesame serve` that holds the AppSecret')
    .option('--remove', 'remove the WeChat mini-program from the client')
    .action(async (clientId: string, options: WechatOptions) => {
      await withExistingStore(commandConfig(options), async (services) => {
        if ((await services.clients.find(clientId)) === undefined)
          throw refused('ERR_CLIENT_NOT_FOUND', `no client ${clientId}`);
        if (options.remove) {
          if (!(await services.wechat.removeApp(clientId, 'cli')))
            throw refused('ERR_WXAPP_NOT_FOUND', `${clientId} has no WeChat app`);
          process.stdout.write(`WeChat app removed from ${clientId}\n`);
          return;
        }
        if (!options.appid || !APPID.test(options.appid)) throw usage('--appid must be an AppID');
        if (
          !options.secretEnv ||
          !ENV_NAME.test(options.secretEnv) ||
          options.secretEnv.startsWith('SESAME_')
        ) {
          throw usage('--secret-env must name an environment variable (not SESAME_*)');
        }
        // Also allows the client the wxapp grant.
        await services.wechat.setApp({ clientId, appid: options.appid, secretEnv: options.secretEnv }, 'cli');
        process.stdout.write(
          `client ${clientId}: WeChat app ${options.appid}, AppSecret read from $${options.secretEnv}\n`,
        );
        if (process.env[options.secretEnv] === undefined) {
          process.stderr.write(`(set ${options.secretEnv} in the environment of sesame serve)\n`);
        }
      });
    });
}
