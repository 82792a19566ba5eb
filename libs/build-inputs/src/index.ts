export { contextFiles, ignoreFileFor } from './context-files';
export { findRepoRoot } from './repo-root';
export { sourceHash } from './tag';
export { stackImagePlan, stackImageTags, machineMirrors } from './stack-images';
export { loadSpecFile } from './load-spec';
export { assertContextInRepo, repoPath, repoPathIssues } from './repo-paths';
export { InputError } from './errors';
