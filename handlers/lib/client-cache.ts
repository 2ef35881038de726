// SDK clients cached per environment they were built from. Tests and the local runtime point
// process.env at a different local server per run, so a client built for a dead endpoint (or another
// function's local access grant) must not be reused; in Lambda the environment never changes and
// each cache holds one client.
import { readRegion } from './config';
import { LOCAL_ACCESS_ENV } from './local-access';

interface Destroyable {
  destroy(): void;
}

const caches = new Set<Map<string, Destroyable>>();

/** Returns a getter that builds the client for the current environment once; `endpointEnv` names its endpoint variable. */
export function cachedClient<C extends Destroyable>(endpointEnv: string, build: (endpoint: string | undefined) => C): () => C {
  const clients = new Map<string, C>();
  caches.add(clients);
  return () => {
    const env = process.env;
    const key = [readRegion(), env[endpointEnv] ?? '', env.AWS_ACCESS_KEY_ID ?? '', env[LOCAL_ACCESS_ENV] ?? ''].join('|');
    let client = clients.get(key);
    if (!client) {
      client = build(env[endpointEnv]?.trim() || undefined);
      clients.set(key, client);
    }
    return client;
  };
}

/** Destroys every cached client (their sockets): for processes that switch endpoints. */
export function resetClients(): void {
  for (const clients of caches) {
    for (const client of clients.values()) client.destroy();
    clients.clear();
  }
}
