import type { SecretRule } from './model';
import { envIgnored } from './rules/env-ignored';
import { urlCredentials } from './rules/url-credentials';
import { awsKey, openAiKey, privateKey } from './rules/value-patterns';
import { yamlPassword } from './rules/yaml-password';

export const SECRET_RULES: readonly SecretRule[] = [openAiKey, privateKey, awsKey, urlCredentials, yamlPassword, envIgnored];
