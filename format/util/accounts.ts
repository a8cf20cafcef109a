import { readFileSync } from 'node:fs';

/** uid/gid → name from the local account databases (/etc/passwd, /etc/group). */
export class LocalAccounts {
  private readonly users = LocalAccounts.read('/etc/passwd');
  private readonly groups = LocalAccounts.read('/etc/group');

  private static read(file: string): Map<number, string> {
    const m = new Map<number, string>();
    try {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        const f = line.split(':');
        if (f.length >= 3 && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]!);
      }
    } catch {
      // no database: names stay unknown
    }
    return m;
  }

  userOrEmpty(uid: number): string {
    return this.users.get(uid) ?? '';
  }

  groupOrEmpty(gid: number): string {
    return this.groups.get(gid) ?? '';
  }

  /** As plakar's ls prints owners: the name, else the number. */
  user(uid: number): string {
    return this.users.get(uid) ?? String(uid);
  }

  group(gid: number): string {
    return this.groups.get(gid) ?? String(gid);
  }
}
