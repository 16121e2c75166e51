import { readFileSync } from 'node:fs';

/** The account the daemon runs as (the unit's User=), whose files provision must make readable to it. */
export interface ServiceUser {
  name: string;
  uid: number;
  gid: number;
}

/**
 * `NAME` (looked up in the passwd file) or `UID:GID` (for a machine or a test without the account
 * yet). Undefined when the name is not in the file.
 */
export function resolveServiceUser(spec: string, passwdFile = '/etc/passwd'): ServiceUser | undefined {
  const numeric = /^(\d+):(\d+)$/.exec(spec);
  if (numeric !== null) return { name: spec, uid: Number(numeric[1]), gid: Number(numeric[2]) };
  let text: string;
  try {
    text = readFileSync(passwdFile, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === spec && uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}
