import { ConfigError, loadDatabaseConfig } from '@member/config';
import { STAFF_ROLES, type StaffRole } from '@member/shared';
import { StaffService } from '../auth/staff.service';
import { StoresService } from '../auth/stores.service';
import { DomainError } from '../common/domain-error';
import { dataSourceOptions, openDatabase } from '../database/data-source';
import { TransactionRunner } from '../database/transaction-runner';

const USAGE = `usage: npm run staff -- add <openid> <clerk|store_manager|admin> [name] [--stores S001,S002]
       npm run staff -- remove <openid>
       npm run staff -- list
Binds WeChat users (by openid) to staff roles in the database named by DATABASE_URL (or SQLITE_PATH).`;

/** Staff bindings without a restart: roles are read on every staff request, so changes apply at once. */
async function main(args: string[]): Promise<number> {
  const storesAt = args.indexOf('--stores');
  const stores =
    storesAt >= 0
      ? (args[storesAt + 1] ?? '')
          .split(',')
          .map((code) => code.trim())
          .filter(Boolean)
      : [];
  const [command, openid, role, ...nameParts] = storesAt >= 0 ? [...args.slice(0, storesAt), ...args.slice(storesAt + 2)] : args;
  if (!command || command === 'help' || command === '--help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 64;
  }
  const dataSource = await openDatabase(dataSourceOptions(loadDatabaseConfig()));
  try {
    const staff = new StaffService(dataSource, new TransactionRunner(dataSource));
    switch (command) {
      case 'add':
        if (!openid || !STAFF_ROLES.includes(role as StaffRole)) {
          process.stderr.write(`add needs an openid and a role (${STAFF_ROLES.join(' or ')})\n${USAGE}\n`);
          return 64;
        }
        if (role !== 'admin' && stores.length === 0) {
          process.stderr.write(`a ${role} works at stores: add --stores S001[,S002]\n${USAGE}\n`);
          return 64;
        }
        try {
          await staff.bind(openid, role as StaffRole, nameParts.join(' ') || null, stores);
        } catch (error) {
          if (!(error instanceof DomainError && error.code === 'STORE_UNKNOWN')) throw error;
          const known = (await new StoresService(dataSource, new TransactionRunner(dataSource)).all()).map((store) => store.code);
          const stores = known.length
            ? `the stores are ${known.join(', ')}`
            : "no stores yet: the server adds config's stores as it starts";
          process.stderr.write(`no such store: ${(error.context?.unknown as string[]).join(', ')} (${stores})\n`);
          return 65;
        }
        process.stdout.write(`${openid} is now ${role}${stores.length ? ` at ${stores.join(', ')}` : ''}\n`);
        return 0;
      case 'remove':
        if (!openid) {
          process.stderr.write(`remove needs an openid\n${USAGE}\n`);
          return 64;
        }
        process.stdout.write((await staff.unbind(openid)) ? `${openid} is no longer staff\n` : `${openid} was not staff\n`);
        return 0;
      case 'list':
        for (const s of await staff.list())
          process.stdout.write(`${s.openid}\t${s.role}\t${s.name ?? ''}\t${s.stores.join(',') || '*'}\t(${s.source})\n`);
        return 0;
      default:
        process.stderr.write(`unknown command ${command}\n${USAGE}\n`);
        return 64;
    }
  } finally {
    await dataSource.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `${(error as Error).stack}\n`);
    process.exit(1);
  },
);
