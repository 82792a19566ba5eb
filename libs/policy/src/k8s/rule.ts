import type { Rule } from '../core/types';
import type { K8sObject } from './model';

export type K8sRule = Rule<readonly K8sObject[]>;
