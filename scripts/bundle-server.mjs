// Bundles the compiled server (dist/server.js, what `npm start` runs) into one module plus
// lazily loaded chunks (PostgreSQL and Redis adapters, the console, Twilio's REST client).
// Cold start (issue 17): Node resolves, reads and compiles some 400 modules for the unbundled
// server; a bundle is a handful of files. The CLI and the tests keep the unbundled dist/.
// better-sqlite3 stays outside (a native addon), and so does everything it loads.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

// The bundle replaces tsc's dist/server.js: bundling the bundle again would point at chunks
// about to be deleted.
const entry = join(dist, 'server.js');
if (readFileSync(entry, 'utf8').includes('__infolineRequire')) {
  throw new Error('bundle-server: dist/server.js is already the bundle; run `npm run build` (tsc first)');
}

// Chunk names carry a content hash: drop the last build's.
rmSync(join(dist, 'chunks'), { recursive: true, force: true });

await build({
  entryPoints: [{ in: entry, out: 'server' }],
  outdir: dist,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Optional peers that the packages probe for and that are not installed.
  external: ['better-sqlite3', 'pg-native'],
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  // CommonJS packages inside an ES module bundle still call require() and read __dirname.
  banner: {
    js: [
      "import { createRequire as __infolineRequire } from 'node:module';",
      "import { fileURLToPath as __infolineFileUrl } from 'node:url';",
      "import { dirname as __infolineDirname } from 'node:path';",
      'const require = __infolineRequire(import.meta.url);',
      'const __filename = __infolineFileUrl(import.meta.url);',
      'const __dirname = __infolineDirname(__filename);',
    ].join('\n'),
  },
});
