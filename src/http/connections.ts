// Slow clients: a client that opens connections and sends headers slowly holds a socket (and a
// file descriptor) each. Node checks request and header timeouts only every
// `connectionsCheckingInterval`; we check every second (see app.ts), and cap how many
// connections one address may hold at once, so one slow client cannot starve Twilio's webhooks.
import type { Server, Socket } from 'node:net';

/** Default cap of simultaneous connections per remote address (behind a proxy: per proxy). */
export const MAX_CONNECTIONS_PER_IP = 64;
/** How often Node sweeps connections for request/header timeouts (its default is 30 s). */
export const CONNECTIONS_CHECK_INTERVAL_MS = 1000;

export function limitConnectionsPerIp(server: Server, max: number, onRefused: (address: string) => void): void {
  if (!(max > 0)) return;
  const open = new Map<string, number>();
  let lastReport = 0;
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      // At most one report a second: a flood of refusals must not become a flood of log lines.
      if (Date.now() - lastReport >= 1000) {
        lastReport = Date.now();
        onRefused(address);
      }
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
