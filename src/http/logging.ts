// Log settings shared by the server and the CLI: JSON lines, caller numbers and key
// presses never in full.
import pino, { type DestinationStream, type LoggerOptions } from 'pino';
import { maskCaller } from '../consent/record.js';

const SENSITIVE = ['From', 'To', 'Caller', 'Called', 'Digits', 'ForwardedFrom', 'CallerName', 'from', 'to', 'caller', 'digits'];

export function loggerOptions(level = 'info'): LoggerOptions {
  return {
    level,
    base: { service: 'infoline' },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: {
      // Top-level keys only: wildcard paths cost ~15 µs per line, and no log line nests
      // request parameters (bodies are never logged; the two body paths are a safety net).
      paths: [...SENSITIVE, 'req.body', 'body', 'req.headers["x-twilio-signature"]', 'req.headers.authorization', 'req.headers.cookie'],
      censor: (value: unknown, path: string[]) => {
        const key = path[path.length - 1] ?? '';
        if (/digits/i.test(key)) return '[redacted]';
        if (typeof value === 'string' && /^\+?[\d\s]{5,}$/.test(value)) return maskCaller(value.replace(/\s/g, ''));
        return '[redacted]';
      },
    },
  };
}

/**
 * The service's log lines on stdout, each written when logged. pino's default (sonic-boom,
 * asynchronous) gathers lines while a write is in flight and measures the whole gathered text
 * again for every line it adds: under load that was 10 % of a consent step's CPU (issue 17), and
 * a crash lost the gathered lines. Written one by one, a line costs one write(2) (≈ 140 vs 160 µs
 * per consent step in `npm run bench`) and is out of the process before the next is logged.
 */
export function logDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}
