// Closing an http.Server waits for keep-alive sockets (the SDK keeps them open): end them too.
import type { Server } from 'node:http';

export async function closeServer(server: Server, close: () => Promise<void>): Promise<void> {
  const closing = close();
  server.closeAllConnections();
  await closing;
}
