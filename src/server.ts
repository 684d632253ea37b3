// Starts the service: listen, and shut down cleanly on SIGTERM/SIGINT.
import { composeService, EnvError, readEnv } from './main.js';

/** Twilio retries nothing for us: in-flight requests get this long to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 8_000;
/** Past this, the process exits even if closing the stores hangs (the contract: within 10 s). */
const SHUTDOWN_HARD_LIMIT_MS = 9_500;
/** How often connections that have become idle (keep-alive) are closed while shutting down. */
const IDLE_SWEEP_MS = 50;

async function main(): Promise<void> {
  let env;
  try {
    env = readEnv(process.env);
  } catch (err) {
    if (err instanceof EnvError) {
      process.stderr.write(`infoline: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const service = await composeService(env);
  const { app } = service;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    const hard = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_HARD_LIMIT_MS);
    hard.unref();
    // Twilio keeps connections alive: once a connection's last request is answered it is
    // idle, and closing it lets the server stop without waiting for the keep-alive timeout.
    const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS);
    sweep.unref();
    // A client that never finishes its request must not hold the process past the grace period.
    const grace = setTimeout(() => {
      app.log.warn('grace period over: closing the remaining connections');
      app.server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    grace.unref();
    service
      .close()
      .then(() => {
        clearInterval(sweep);
        clearTimeout(grace);
        app.log.info('stopped');
        process.exit(0);
      })
      .catch((err: unknown) => {
        app.log.error({ err }, 'error while shutting down');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await app.listen({ port: env.port, host: env.host });
  app.log.info(
    { version: service.registry.current?.version, configDir: env.configDir, publicUrl: env.publicUrl },
    'infoline is answering calls',
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`infoline: failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
