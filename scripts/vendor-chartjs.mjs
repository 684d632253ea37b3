// Copies Chart.js's browser bundle next to the console's compiled front end (dist/web/vendor),
// so the dashboard draws its charts offline and production needs no chart.js package.
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// The package's exports hide dist/chart.umd.min.js; its CommonJS entry sits beside it.
const source = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
const target = join(root, 'dist', 'web', 'vendor', 'chart.umd.min.js');
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
