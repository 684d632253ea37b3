// The TwiML checker must catch what it claims to catch, or the reliability suite proves nothing.
import { describe, expect, it } from 'vitest';
import { checkTwiml, outcomeOf } from './twiml-rules.js';

const BASE = 'https://ivr.example.test';
const doc = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><Response>${inner}</Response>`;
const check = (inner: string) => checkTwiml(doc(inner), { publicUrl: BASE });

describe('checkTwiml', () => {
  it('accepts a menu, a queue, a dial and a goodbye as the app writes them', () => {
    expect(
      check(
        `<Gather input="dtmf" numDigits="1" timeout="7" action="${BASE}/voice/menu?v=1&amp;n=main" method="POST"><Say language="cs-CZ" voice="Google.cs-CZ-Wavenet-A">Dobrý den</Say><Play>https://cdn.example.org/a.mp3</Play><Pause length="1"/></Gather><Redirect method="POST">${BASE}/voice/menu?e=noinput</Redirect>`,
      ),
    ).toEqual([]);
    expect(
      check(
        `<Say language="cs-CZ">x</Say><Enqueue action="${BASE}/voice/queue/done" method="POST" waitUrl="${BASE}/voice/queue/wait" waitUrlMethod="POST">ozp-general</Enqueue>`,
      ),
    ).toEqual([]);
    expect(check(`<Dial action="${BASE}/voice/queue/done" record="record-from-answer-dual"><Number>+420261105556</Number></Dial>`)).toEqual(
      [],
    );
    expect(check('<Say language="cs-CZ">Na shledanou</Say><Hangup/>')).toEqual([]);
  });

  it.each([
    ['not well-formed', '<Say>x</Sa>'],
    ['a verb Twilio does not know', '<Speak>x</Speak>'],
    [
      'Gather inside Gather',
      `<Gather action="${BASE}/voice/menu" numDigits="1"><Gather action="${BASE}/voice/menu"><Say>x</Say></Gather></Gather>`,
    ],
    ['Enqueue inside Gather', `<Gather action="${BASE}/voice/menu" numDigits="1"><Enqueue>q</Enqueue></Gather>`],
    ['an unknown attribute', `<Gather action="${BASE}/voice/menu" numDigits="1" bargein="true"><Say>x</Say></Gather>`],
    ['a menu without numDigits="1"', `<Gather action="${BASE}/voice/menu" numDigits="2"><Say>x</Say></Gather>`],
    ['a relative action', '<Gather action="/voice/menu" numDigits="1"><Say>x</Say></Gather>'],
    ['an action on another host', '<Gather action="https://evil.example/voice/menu" numDigits="1"><Say>x</Say></Gather>'],
    ['a relative Redirect', '<Redirect>/voice/menu</Redirect>'],
    ['a waitUrl on another host', '<Enqueue waitUrl="http://localhost:3000/voice/queue/wait">q</Enqueue>'],
    ['a method that is not GET/POST', `<Redirect method="PUT">${BASE}/x</Redirect>`],
    ['an empty Say', '<Say language="cs-CZ"></Say>'],
    ['a language that is not a locale', '<Say language="czech">x</Say>'],
    ['a verb after Hangup', '<Hangup/><Say>x</Say>'],
    ['Dial without a target', '<Dial></Dial>'],
    ['text directly in Response', 'hello'],
  ])('rejects %s', (_name, inner) => {
    expect(check(inner).length).toBeGreaterThan(0);
  });

  it('rejects a root other than Response', () => {
    expect(checkTwiml('<?xml version="1.0"?><Reply><Say>x</Say></Reply>', { publicUrl: BASE }).length).toBeGreaterThan(0);
  });

  it('tells how an answer leaves the IVR', () => {
    expect(outcomeOf(doc(`<Gather action="${BASE}/a" numDigits="1"><Say>x</Say></Gather><Redirect>${BASE}/b</Redirect>`))).toEqual({
      kind: 'menu',
      action: `${BASE}/a`,
      noInput: `${BASE}/b`,
    });
    expect(outcomeOf(doc('<Say>x</Say><Enqueue>ozp-general</Enqueue>'))).toMatchObject({ kind: 'queue', queue: 'ozp-general' });
    expect(outcomeOf(doc('<Dial><Sip>sip:a@b.example</Sip></Dial>'))).toMatchObject({ kind: 'dial', target: 'sip:a@b.example' });
    expect(outcomeOf(doc('<Say>x</Say><Hangup/>'))).toEqual({ kind: 'hangup' });
  });
});
