// A simulated call as text and as JSON: `infoline simulate` and the console's simulator print
// the same transcript (numbers the caller typed masked).
import type { ConsentRecord } from '../consent/record.js';
import { LINE_ZONE, localText } from '../hours/time-input.js';
import { routeOfUrl } from '../telephony/callback-urls.js';
import type { CallEnd, PlayedCall, PlayedItem } from '../telephony/player.js';

export interface SimulatedCall extends PlayedCall {
  at: number;
  language: string;
  version: string;
  consents: ConsentRecord[];
}

/** The route (flow node) a connect's callback URL names. */
function routeOf(end: CallEnd): string | undefined {
  const url = end.kind === 'queue' ? (end.action ?? end.waitUrl) : undefined;
  return url === undefined ? undefined : routeOfUrl(url);
}

export function endLine(end: CallEnd, dialRoute?: string): string {
  switch (end.kind) {
    case 'queue': {
      const route = routeOf(end);
      const target = end.workflowSid !== undefined ? `TaskRouter workflow ${end.workflowSid}` : `queue ${end.queue}`;
      return `call ended: ${target}${route ? ` (route ${route})` : ''}`;
    }
    case 'dial':
      return `call ended: dial ${end.target}${dialRoute ? ` (route ${dialRoute})` : ''}${end.record ? ' (recorded)' : ''}`;
    case 'hangup':
      return 'call ended: goodbye (hang-up)';
    case 'error':
      return `call ended: error: ${end.message}`;
    case 'waiting':
      return 'call waits for a key';
  }
}

function heardLine(item: PlayedItem): string {
  switch (item.kind) {
    case 'say':
      return `  caller hears: ${item.text}`;
    case 'play':
      return `  caller hears a recording: ${item.url}`;
    case 'pause':
      return `  (pause ${item.seconds} s)`;
  }
}

/**
 * Numbers the caller typed (insured number, date of birth: entries of several digits) and
 * their read-back, masked digit by digit: simulator output is shared and pasted around.
 */
export function maskTypedNumbers(call: SimulatedCall): SimulatedCall {
  const secrets = call.presses.map((p) => p.replace(/[^0-9]/g, '')).filter((d) => d.length > 1);
  if (secrets.length === 0) return call;
  const patterns = secrets.map((d) => new RegExp(d.split('').join('\\s*'), 'g'));
  const mask = (text: string) => patterns.reduce((t, re) => t.replace(re, (m) => m.replace(/\d/g, 'x')), text);
  return {
    ...call,
    presses: call.presses.map(mask),
    steps: call.steps.map((s) => ({
      ...s,
      input: s.input === undefined ? undefined : mask(s.input),
      twiml: mask(s.twiml),
      heard: s.heard.map((h) => (h.kind === 'say' ? { ...h, text: mask(h.text) } : h)),
    })),
  };
}

export function formatText(unmasked: SimulatedCall): string {
  const call = maskTypedNumbers(unmasked);
  const lines: string[] = [];
  const zoneTime = `${localText(call.at)} ${LINE_ZONE} (${new Date(call.at).toISOString()})`;
  lines.push(`simulated call at ${zoneTime}, language ${call.language}, config version ${call.version}`);
  call.steps.forEach((step, i) => {
    const path = step.request.split('?')[0] ?? step.request;
    const why = i === 0 ? 'call starts' : step.input === 'silence' ? 'no key pressed' : `key ${step.input ?? ''}`;
    lines.push(`step ${i + 1}: POST ${path} (${why})`);
    for (const item of step.heard) lines.push(heardLine(item));
    const next = call.steps[i + 1];
    if (next?.input === 'silence') lines.push('  caller presses nothing (timeout)');
    else if (next?.input !== undefined) lines.push(`  caller presses: ${next.input}`);
  });
  for (const c of call.consents) {
    lines.push(`consent (simulated, not stored): ${c.decision}, route ${c.route}, notice ${c.noticeId} version ${c.noticeVersion}`);
  }
  if (call.consents.length === 0) lines.push('consent: none written');
  const identity = /&quot;identity&quot;:&quot;([a-z-]+)&quot;|"identity":"([a-z-]+)"/.exec(call.steps.at(-1)?.twiml ?? '');
  if (identity) lines.push(`identification: ${identity[1] ?? identity[2] ?? ''} (the number goes to the agent only)`);
  lines.push(endLine(call.end, dialRouteOf(call)));
  return `${lines.join('\n')}\n`;
}

function dialRouteOf(call: SimulatedCall): string | undefined {
  // <Dial action> carries the route like <Enqueue action>; find it in the last TwiML.
  const last = call.steps.at(-1);
  const m = last ? /queue\/done\?[^"]*?route=([a-z0-9_]+)/.exec(last.twiml) : null;
  return m?.[1];
}

export function toJson(unmasked: SimulatedCall) {
  const call = maskTypedNumbers(unmasked);
  const route = routeOf(call.end) ?? (call.end.kind === 'dial' ? dialRouteOf(call) : undefined);
  return {
    at: new Date(call.at).toISOString(),
    language: call.language,
    version: call.version,
    steps: call.steps.map((s) => ({ request: s.request, input: s.input ?? null, heard: s.heard })),
    presses: call.presses,
    end: route !== undefined ? { ...call.end, route } : call.end,
    consents: call.consents,
  };
}
