import { userInfo } from 'node:os';

/** Who is acting, for the audit trail: --by, else RECOIL_USER, else the OS user. */
export function defaultActor(): string {
  return process.env.RECOIL_USER ?? safeUserName() ?? 'someone';
}

function safeUserName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
