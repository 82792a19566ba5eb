export { renderCompose, renderComposeDev, composeConfigFiles, type ComposeFile, type ComposeSideFile } from './render';
export { composeHealthCommand } from './health';
export { composeWarnings } from './warnings';
export { secretVariable, secretInterpolation, escapeDollars } from './secrets';
export { networkName, volumeName, migrationServiceName, secretFileVariable, configFilePath, LOGGING, type ComposeLayout } from './service';
