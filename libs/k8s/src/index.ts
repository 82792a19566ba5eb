export { renderKubernetes, type ManifestFile } from './render';
export { kubernetesWarnings } from './warnings';
export { selectorLabels, serviceLabels, stackLabels } from './labels';
export { workloadKind } from './workload';
