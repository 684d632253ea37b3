// Writes a call's consent before its TwiML is sent. Recording needs a consent in the log
// proper: a failed write, or one only spooled while the primary store is down, connects the
// caller without recording.
import type { FastifyBaseLogger } from 'fastify';
import type { ConsentRecord } from '../consent/record.js';
import type { ConsentLog } from '../store/ports.js';
import type { Metrics } from './metrics.js';

/** True when the consent is in the log proper (recording allowed). */
export async function writeConsent(
  log: FastifyBaseLogger,
  consentLog: ConsentLog,
  metrics: Metrics,
  consent: ConsentRecord,
): Promise<boolean> {
  try {
    const { inserted, spooled } = await consentLog.append(consent);
    if (inserted) metrics.consents.inc({ decision: consent.decision });
    log.info({ decision: consent.decision, route: consent.route, inserted, spooled: spooled === true }, 'consent logged');
    return spooled !== true;
  } catch (err) {
    metrics.consentFailures.inc();
    log.error({ err, decision: consent.decision }, 'consent could not be written; connecting without recording');
    return false;
  }
}
