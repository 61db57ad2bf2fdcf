// Copies the course manifest (owned by the Python package, the one source of the lessons and
// labs) next to the TypeScript sources, where `import ... from './course-manifest.json'`
// bundles it. The copy is a build product (gitignored); edit lnhet_widgets/course/manifest.json.
import { copyFileSync, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const source = resolve(here, '../../../lnhet_widgets/course/manifest.json');
const target = resolve(here, '../src/course-manifest.json');

if (!existsSync(source)) {
  console.error(`The course manifest is missing: ${source} (it ships with lnhet_widgets.course).`);
  process.exit(1);
}
copyFileSync(source, target);
