/** The package's root folder, from dist/ or from the test build (.test-build/src/), for files shipped beside the code. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const up1 = fileURLToPath(new URL('../', import.meta.url)); // dist/ → root, or .test-build/src/ → .test-build/
export const PKG_ROOT = existsSync(join(up1, 'package.json')) ? up1 : join(up1, '..');
