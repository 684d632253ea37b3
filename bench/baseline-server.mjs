/* global process */
// The cold-start baseline: bare Fastify + @fastify/formbody answering a fixed TwiML document,
// started as `node bench/baseline-server.mjs` exactly like `node dist/server.js`.
import formbody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(formbody);
const twiml = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Dobrý den</Say></Response>';
app.post('/voice/incoming', async (_request, reply) => reply.type('text/xml; charset=utf-8').send(twiml));
await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
