// Starts the service: listen, and shut down cleanly on SIGTERM/SIGINT.
import { composeService, EnvError, readEnv } from './main.js';

/** Twilio retries nothing for us: in-flight requests get this long to finish on shutdown. */
const SHUTDOWN_GRACE_MS = 9_000;

async function main(): Promise<void> {
  let env;
  try {
    env = readEnv();
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
    const force = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    service
      .close()
      .then(() => {
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
  app.log.info({ version: service.registry.current?.version, configDir: env.configDir, publicUrl: env.publicUrl }, 'infoline is answering calls');
}

main().catch((err: unknown) => {
  process.stderr.write(`infoline: failed to start: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
