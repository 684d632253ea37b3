// `infoline consent notice <version>`: the exact text of a consent notice version, as callers
// heard it — stdout holds only the text (its sha256 is the consent rows' noticeSha256).
import { noticeTexts } from '../config/version-archive.js';
import type { NoticeText } from '../store/config-version-port.js';
import { loadCompiled, withStores } from './config.js';
import { CliError, UsageError, type CliIo } from './io.js';

export async function runConsentNotice(io: CliIo, raw: string): Promise<number> {
  const wanted = raw.trim().toLowerCase();
  // A consent row's noticeVersion (12 hex digits), or its full noticeSha256.
  if (!/^[0-9a-f]{12}([0-9a-f]{52})?$/.test(wanted))
    throw new UsageError(`"${raw}" is not a notice version (12 hex digits, as in a consent row's noticeVersion)`);
  const version = wanted.slice(0, 12);
  let notice: NoticeText | undefined = await withStores(io, (stores) => stores.configVersions.notice(version));
  if (notice === undefined) {
    // Not stored yet (the service has not run on this database): the current files may hold it.
    try {
      notice = noticeTexts(loadCompiled({ ...io, err: () => undefined })).find((n) => n.version === version);
    } catch {
      notice = undefined;
    }
  }
  if (notice === undefined || (wanted.length === 64 && notice.sha256 !== wanted)) {
    throw new CliError(`no consent notice with version ${version} is stored in the database DATABASE_URL names`);
  }
  io.out(notice.text);
  io.err(`\ninfoline: notice ${notice.version} (${notice.noticeId}, ${notice.language}), sha256 ${notice.sha256}\n`);
  return 0;
}
