import { readFileSync } from 'node:fs';

/** The machine id Plakar records (denisbrodbeck/machineid reads these files on Linux). */
export function machineId(): string {
  for (const f of ['/var/lib/dbus/machine-id', '/etc/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id) return id;
    } catch {
      // try the next one
    }
  }
  return '';
}
