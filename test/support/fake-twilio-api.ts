// A fake of Twilio's REST API over real HTTP (node:http on 127.0.0.1, port 0): records every
// request and answers Calls.json like Twilio does (201 + JSON with the new call's sid).
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
  /** The sid answered (201 only). */
  sid?: string;
}

export interface FakeTwilioApi {
  url: string;
  requests: RecordedRequest[];
  /** Next answers' status (e.g. 500 to make placing fail) and Twilio error message; default 201. */
  failWith(status: number | undefined, message?: string): void;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });

export async function startFakeTwilioApi(): Promise<FakeTwilioApi> {
  const requests: RecordedRequest[] = [];
  let failStatus: number | undefined;
  let failMessage = 'internal error';
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        form: Object.fromEntries(new URLSearchParams(body)),
      };
      requests.push(recorded);
      if (!/^\/2010-04-01\/Accounts\/[^/]+\/Calls\.json$/.test(recorded.path) || req.method !== 'POST') {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20404, message: 'not found' }));
        return;
      }
      if (failStatus !== undefined) {
        res.writeHead(failStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 20500, message: failMessage }));
        return;
      }
      recorded.sid = `CA${randomBytes(16).toString('hex')}`;
      res
        .writeHead(201, { 'content-type': 'application/json' })
        .end(JSON.stringify({ sid: recorded.sid, status: 'queued', to: recorded.form.To, from: recorded.form.From }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failWith(status, message = 'internal error') {
      failStatus = status;
      failMessage = message;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
