// Points this process's own SDK clients (handlers/lib) at the local services, and puts things back.
import { resetClients } from '../handlers/lib/client-cache';

/** Sets every variable of `env` in process.env; the returned function restores the previous values. */
export function applyEnv(env: Record<string, string>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [name, value] of Object.entries(env)) {
    saved.set(name, process.env[name]);
    process.env[name] = value;
  }
  // Clients are cached per endpoint, so stale ones would keep pointing at a stopped server.
  resetClients();
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetClients();
  };
}
