// The consent notice texts for the data-protection officer: every notice version a consent row
// can name, its exact text, and when consent rows first and last named it. Readable by whoever
// may read consents; every read is audited like a consent search.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ConfigRegistry } from '../config/registry.js';
import { noticeTexts } from '../config/version-archive.js';
import { NOTICE_VERSION, type ConfigVersionStore, type NoticeText, type NoticeUsage } from '../store/config-version-port.js';
import type { AuditEntry } from './audit.js';
import { refuse } from './context.js';
import type { NoticeList, NoticeView } from './contracts/consents.js';
import type { Permission } from './users.js';

export interface NoticesApiOptions {
  registry: ConfigRegistry;
  configVersions?: ConfigVersionStore | undefined;
  requirePermission: (permission: Permission, action: string) => (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;
  audit: (req: FastifyRequest, entry: Pick<AuditEntry, 'action' | 'target' | 'result' | 'details'>) => Promise<void>;
}

export async function noticesApi(app: FastifyInstance, opts: NoticesApiOptions): Promise<void> {
  /** Stored notices, plus the ones in memory (the current version before its save completes). */
  const allNotices = async (): Promise<{ notices: NoticeText[]; usage: Map<string, NoticeUsage> }> => {
    const stored = opts.configVersions ? await opts.configVersions.notices() : [];
    const usage = opts.configVersions ? await opts.configVersions.noticeUsage() : new Map<string, NoticeUsage>();
    const byVersion = new Map(stored.map((n) => [n.version, n]));
    const current = opts.registry.current;
    for (const n of current ? noticeTexts(current) : []) if (!byVersion.has(n.version)) byVersion.set(n.version, n);
    return { notices: [...byVersion.values()], usage };
  };
  const view = (n: NoticeText, usage: Map<string, NoticeUsage>): NoticeView => ({
    version: n.version,
    noticeId: n.noticeId,
    language: n.language,
    sha256: n.sha256,
    text: n.text,
    firstUsed: usage.get(n.version)?.firstUsed ?? null,
    lastUsed: usage.get(n.version)?.lastUsed ?? null,
  });

  app.get('/api/notices', { preHandler: opts.requirePermission('consents', 'notices.read') }, async (req): Promise<NoticeList> => {
    const { notices, usage } = await allNotices();
    await opts.audit(req, { action: 'notices.read', target: 'all', result: 'ok', details: { notices: notices.length } });
    return { notices: notices.map((n) => view(n, usage)) };
  });

  app.get('/api/notices/:version', { preHandler: opts.requirePermission('consents', 'notices.read') }, async (req, reply) => {
    const { version } = req.params as { version: string };
    if (!NOTICE_VERSION.test(version))
      return refuse(reply, 400, { error: "a notice version is 12 hex digits (a consent row's noticeVersion)" });
    const { notices, usage } = await allNotices();
    const found = notices.find((n) => n.version === version);
    await opts.audit(req, {
      action: 'notices.read',
      target: version,
      result: found ? 'ok' : 'failed',
      details: { found: found !== undefined },
    });
    if (!found) return refuse(reply, 404, { error: `no consent notice with version ${version}` });
    return view(found, usage);
  });
}
