import { packageVersions } from '../common/versions.js';

/** recomp's own version (package.json's) */
export const VERSION = packageVersions().recomp;
