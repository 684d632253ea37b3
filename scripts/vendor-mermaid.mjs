// Copies Mermaid's browser bundle next to the console's compiled front end (dist/web/vendor),
// so the console renders diagrams offline and production needs no mermaid package.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
const target = join(root, 'dist', 'web', 'vendor', 'mermaid.min.js');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
