// Pod Security admission, level "restricted" (the checks the runner's field set can reach).
// Messages follow the API server's wording so a failure reads as it would with kubectl.
export function restrictedViolations(spec: any): string[] {
  const out: string[] = [];
  const psc = spec.securityContext ?? {};
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  const names = (pred: (c: any) => boolean) => containers.filter(pred).map((c: any) => `"${c.name}"`).join(', ');
  const bad = (what: string, pred: (c: any) => boolean) => {
    const n = names(pred);
    if (n) out.push(`${what} (container${n.includes(',') ? 's' : ''} ${n})`);
  };
  bad('allowPrivilegeEscalation != false', (c) => c.securityContext?.allowPrivilegeEscalation !== false);
  bad('unrestricted capabilities: must set securityContext.capabilities.drop=["ALL"]', (c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL'));
  bad('capabilities other than NET_BIND_SERVICE added', (c) => (c.securityContext?.capabilities?.add ?? []).some((a: string) => a !== 'NET_BIND_SERVICE'));
  bad('runAsNonRoot != true', (c) => (c.securityContext?.runAsNonRoot ?? psc.runAsNonRoot) !== true);
  bad('runAsUser=0', (c) => (c.securityContext?.runAsUser ?? psc.runAsUser) === 0);
  bad('seccompProfile: must be RuntimeDefault or Localhost', (c) => !['RuntimeDefault', 'Localhost'].includes(c.securityContext?.seccompProfile?.type ?? psc.seccompProfile?.type));
  if (psc.runAsUser === 0) out.push('pod runAsUser=0');
  return out;
}
