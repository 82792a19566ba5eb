import type { ResolvedService, ResolvedStack } from '@todo/service-spec';

const id = (kind: string, name: string) => `${kind}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const label = (text: string) => `"${text.replace(/"/g, '#quot;')}"`;

/** "Talks to": network paths that are not dependencies (no start order). */
function talksTo(s: ResolvedService): readonly string[] {
  const deps = new Set(s.dependsOn.map((d) => d.service));
  return s.connectsTo.filter((t) => !deps.has(t));
}

/**
 * A Mermaid flowchart of one resolved stack: services with their role, "depends on"
 * (solid) and "talks to" (dotted) edges, ports published on the host, and volumes.
 * No image tags: the picture changes only when the architecture does.
 */
export function stackDiagram(stack: ResolvedStack): string {
  const lines = ['flowchart LR'];
  const published = stack.services.flatMap((s) => s.ports.filter((p) => p.hostPort !== undefined).map((p) => ({ s, p })));
  if (published.length) lines.push(`  host((${label('host')}))`);
  lines.push(`  subgraph ${id('stack', stack.name)} [${label(`${stack.name} (${stack.environment})`)}]`);
  for (const s of stack.services) {
    const ports = s.ports.map((p) => `${p.name} ${p.port}${p.protocol === 'UDP' ? '/udp' : ''}`).join(', ');
    const text = label(`${s.name}<br/>${s.job ? (s.job.schedule ? `job, ${s.job.schedule}` : 'job') : s.role}${s.replicas > 1 ? ` ×${s.replicas}` : ''}${ports ? `<br/>${ports}` : ''}`);
    // Jobs are drawn as subroutines, services as boxes.
    lines.push(`    ${id('svc', s.name)}${s.job ? `[[${text}]]` : `[${text}]`}`);
  }
  for (const s of stack.services) for (const v of s.volumes) lines.push(`    ${id('vol', `${s.name}_${v.name}`)}[(${label(`${v.name}<br/>${v.mountPath}`)})]`);
  lines.push('  end');
  for (const { s, p } of published) lines.push(`  host -- ${label(`${p.hostAddress}:${p.hostPort} → ${p.port}`)} --> ${id('svc', s.name)}`);
  for (const s of stack.services) {
    for (const d of s.dependsOn) lines.push(`  ${id('svc', s.name)} -- ${label(`depends on (${d.condition})`)} --> ${id('svc', d.service)}`);
    for (const t of talksTo(s)) lines.push(`  ${id('svc', s.name)} -. ${label('talks to')} .-> ${id('svc', t)}`);
    for (const v of s.volumes) lines.push(`  ${id('svc', s.name)} --- ${id('vol', `${s.name}_${v.name}`)}`);
  }
  return lines.join('\n');
}

/** The diagram page written next to the parity report. */
export function diagramPage(stack: ResolvedStack, header: string): string {
  return [`<!-- ${header} -->`, `# Stack diagram: ${stack.name}`, '', `Services, "depends on" (solid) and "talks to" (dotted) edges, host-published ports and volumes, as environment "${stack.environment}" resolves them.`, '', '```mermaid', stackDiagram(stack), '```', ''].join('\n');
}
