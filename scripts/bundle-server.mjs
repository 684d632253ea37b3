// Bundles the compiled server (dist/server.js, what `npm start` runs) into one module plus
// lazily loaded chunks (PostgreSQL and Redis adapters, the console, Twilio's REST client).
// Cold start (issue 17): Node resolves, reads and compiles some 400 modules for the unbundled
// server; a bundle is a handful of files. The CLI and the tests keep the unbundled dist/.
// better-sqlite3 stays outside (a native addon), and so does everything it loads.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
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

// The build stamp (src/main.ts __INFOLINE_BUILD_ID__): the compiled code and the locked
// dependencies. The validated-config cache (src/config/bundle-cache.ts) is keyed by it, so a
// bundle validated by another build's schemas is never read back.
const stamp = createHash('sha256');
for (const file of readdirSync(dist, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .sort()) {
  stamp
    .update(file)
    .update('\0')
    .update(readFileSync(join(dist, file)))
    .update('\0');
}
stamp.update(readFileSync(join(root, 'package-lock.json')));

// zod re-exports its 40-odd message locales (some 360 kB of a 3.5 MB main chunk that every start
// compiles); the service uses the English one zod configures itself with.
const onlyEnglishZodLocale = {
  name: 'only-english-zod-locale',
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales', namespace: 'infoline-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'infoline-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
    }));
  },
};

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
  plugins: [onlyEnglishZodLocale],
  define: { __INFOLINE_BUILD_ID__: JSON.stringify(stamp.digest('hex').slice(0, 16)) },
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
