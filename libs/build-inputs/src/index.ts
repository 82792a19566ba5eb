export { contextFiles, ignoreFileFor } from './context-files';
export { findRepoRoot } from './repo-root';
export { imageTag, type BuildInputs } from './tag';
export { stackImageTags, machineMirrors, localImageRef, buildArgs } from './stack-images';
