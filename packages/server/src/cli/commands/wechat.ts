import type { Command } from 'commander';
import { WXAPP_GRANT_TYPE } from '../../grants/wxapp.js';
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
      await withExistingStore(commandConfig(options), async (services, store) => {
        const client = await store.findClient(clientId);
        if (client === undefined) throw refused('ERR_CLIENT_NOT_FOUND', `no client ${clientId}`);
        if (options.remove) {
          if (!(await store.deleteWechatApp(clientId)))
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
        const now = services.now();
        await store.setWechatApp({
          clientId,
          appid: options.appid,
          secretEnv: options.secretEnv,
          createdAt: now,
          updatedAt: now,
        });
        if (!client.grantTypes.includes(WXAPP_GRANT_TYPE)) {
          await store.updateClient(clientId, {
            grantTypes: [...client.grantTypes, WXAPP_GRANT_TYPE],
            updatedAt: now,
          });
        }
        await services.audit({
          type: 'admin.client.wxapp',
          actor: 'cli',
          subject: clientId,
          details: { appid: options.appid },
        });
        process.stdout.write(
          `client ${clientId}: WeChat app ${options.appid}, AppSecret read from $${options.secretEnv}\n`,
        );
        if (process.env[options.secretEnv] === undefined) {
          process.stderr.write(`(set ${options.secretEnv} in the environment of sesame serve)\n`);
        }
      });
    });
}
