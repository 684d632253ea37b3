// The emergency closures in force, read per request; an unreachable switch store closes nothing
// (the line keeps answering) and says so in the request's log.
import type { FastifyRequest } from 'fastify';
import type { EmergencyClosure } from '../hours/types.js';
import type { SwitchStore } from '../store/ports.js';

export async function closuresNow(switches: SwitchStore, request: FastifyRequest): Promise<EmergencyClosure[]> {
  try {
    return await switches.closures();
  } catch (err) {
    request.log.error({ err }, 'switch store unreachable; no emergency closure applied');
    return [];
  }
}
