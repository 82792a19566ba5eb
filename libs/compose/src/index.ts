export { renderCompose, renderComposeDev, type ComposeFile } from './render';
export { composeWarnings } from './warnings';
export { secretVariable, secretInterpolation } from './secrets';
export { networkName, volumeName, migrationServiceName } from './service';
