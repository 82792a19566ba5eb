import type { SpecIssue } from './errors';
import type { ProbeSpec, ServiceSpec, StackSpec } from './types';

/**
 * A `$` in the spec is literal: the compose renderer writes it as `$$`, and
 * Kubernetes passes it as is. So `${` in a field no shell reads can only be a
 * compose interpolation copied over unresolved (`postgres:${PG_VERSION:-16}`),
 * which would reach Kubernetes as that text: refused, naming the field.
 *
 * Checked: image references and build paths, env values, commands and
 * arguments, probe commands and paths, mount and file paths, ingress hosts and
 * paths, registries. Allowed: the script of a shell run as `sh -c SCRIPT` (or
 * bash, ash, dash, zsh, ksh; `-ec` and the like too), where `${VAR}` is the
 * shell's own expansion in the container, on both targets; and an env value or
 * command word the service lists in `literalInterpolation`, where the text is
 * meant as is (a template the program expands itself, compose's `$${VAR}`).
 */

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh']);
const SHELL_C = /^-[a-zA-Z]*c[a-zA-Z]*$/;

const FIX = 'write the value itself (`infra import` resolves compose\'s ${VAR} from .env, --env-file and --env); a "$" in the spec is literal';
/** Fields that may hold `${` as text when the service lists them in literalInterpolation: env values and command words. */
const LITERAL_FIELD = /^(dev\.)?env\.[A-Za-z_][A-Za-z0-9_]*$|^((migration|dev)\.)?(command|entrypoint)\[\d+\]$|^health\.((liveness|readiness|startup)\.exec\.command|composeCommand)\[\d+\]$/;

/** Indexes of argv that are a shell's script: the word after `-c` (or `-ec`, ...) following sh, bash, .... */
function shellScripts(argv: readonly string[]): Set<number> {
  const out = new Set<number>();
  argv.forEach((word, i) => {
    if (!SHELLS.has(word.split('/').pop() ?? '')) return;
    for (let j = i + 1; j < argv.length && argv[j].startsWith('-'); j++) {
      if (SHELL_C.test(argv[j])) {
        if (j + 1 < argv.length) out.add(j + 1);
        return;
      }
    }
  });
  return out;
}

export function checkUnresolvedInterpolation(spec: StackSpec, out: SpecIssue[]): void {
  /** The service whose fields are checked: its path prefix (service or environment override), and the fields it declares literal. */
  let scope: { prefix: string; service: string; literal: ReadonlySet<string>; used: Set<string> } | undefined;
  const plain = (value: string | undefined, path: string, fix = FIX) => {
    if (value === undefined || !value.includes('${')) return;
    const field = scope && path.startsWith(`${scope.prefix}.`) ? path.slice(scope.prefix.length + 1) : undefined;
    if (scope && field !== undefined && scope.literal.has(field) && LITERAL_FIELD.test(field)) {
      scope.used.add(field);
      return;
    }
    const literal = field !== undefined && LITERAL_FIELD.test(field) ? `; if the text is meant as is (a template the program expands itself, compose's $\${VAR} escape), list "${field}" in services.${scope!.service}.literalInterpolation` : '';
    out.push({ path, message: `${JSON.stringify(value)} holds "\${", a compose interpolation left unresolved: Kubernetes would get this text as is; fix: ${fix}${literal}` });
  };
  const envMap = (env: Readonly<Record<string, string>> | undefined, path: string) => {
    for (const [k, v] of Object.entries(env ?? {})) plain(v, `${path}.${k}`);
  };
  /** entrypoint + command as one argv: a shell's script may be in either. */
  const argv = (entrypoint: readonly string[] | undefined, command: readonly string[] | undefined, ep: string | undefined, cp: string | undefined) => {
    const words = [...(entrypoint ?? []), ...(command ?? [])];
    const scripts = shellScripts(words);
    const fix = `${FIX}; for a variable of the container, run the command through a shell (sh -c "... \${VAR} ...") or write $VAR`;
    words.forEach((w, i) => {
      // A part given as undefined path is checked where it is declared, not here.
      const inEntrypoint = i < (entrypoint?.length ?? 0);
      const path = inEntrypoint ? ep && `${ep}[${i}]` : cp && `${cp}[${i - (entrypoint?.length ?? 0)}]`;
      if (!scripts.has(i)) {
        if (path) plain(w, path, fix);
      } else if (path && scope && path.startsWith(`${scope.prefix}.`) && w.includes('${')) scope.used.add(path.slice(scope.prefix.length + 1));
    });
  };
  const probe = (pr: ProbeSpec | undefined, path: string) => {
    if (!pr) return;
    if (pr.exec) argv(undefined, pr.exec.command, '', `${path}.exec.command`);
    plain(pr.http?.path, `${path}.http.path`);
  };

  const literalOf = (s: (typeof spec.services)[number]) => new Set(s.literalInterpolation ?? []);
  const used = new Map(spec.services.map((s) => [s.name, new Set<string>()]));
  for (const s of spec.services) {
    const p = `services.${s.name}`;
    scope = { prefix: p, service: s.name, literal: literalOf(s), used: used.get(s.name)! };
    plain(s.image.ref, `${p}.image.ref`);
    plain(s.image.repository, `${p}.image.repository`);
    plain(s.image.build?.context, `${p}.image.build.context`);
    plain(s.image.build?.dockerfile, `${p}.image.build.dockerfile`);
    for (const [arg, base] of Object.entries(s.image.build?.baseImages ?? {})) plain(base, `${p}.image.build.baseImages.${arg}`);
    envMap(s.env, `${p}.env`);
    argv(s.entrypoint, s.command, `${p}.entrypoint`, `${p}.command`);
    if (s.migration) argv(s.migration.entrypoint, s.migration.command, `${p}.migration.entrypoint`, `${p}.migration.command`);
    probe(s.health?.liveness, `${p}.health.liveness`);
    probe(s.health?.readiness, `${p}.health.readiness`);
    probe(s.health?.startup, `${p}.health.startup`);
    if (s.health?.composeCommand) argv(undefined, s.health.composeCommand, '', `${p}.health.composeCommand`);
    (s.volumes ?? []).forEach((v, i) => plain(v.mountPath, `${p}.volumes[${i}].mountPath`));
    (s.writablePaths ?? []).forEach((w, i) => plain(w, `${p}.writablePaths[${i}]`));
    (s.files ?? []).forEach((f, i) => {
      plain(f.path, `${p}.files[${i}].path`);
      plain(f.source, `${p}.files[${i}].source`);
    });
    plain(s.ingressPath, `${p}.ingressPath`);
    (s.dev?.mounts ?? []).forEach((m, i) => {
      plain(m.source, `${p}.dev.mounts[${i}].source`);
      plain(m.target, `${p}.dev.mounts[${i}].target`);
    });
    if (s.dev?.command) argv(undefined, s.dev.command, '', `${p}.dev.command`);
    envMap(s.dev?.env, `${p}.dev.env`);
  }
  for (const [name, env] of Object.entries(spec.environments)) {
    const p = `environments.${name}`;
    scope = undefined;
    plain(env.registry, `${p}.registry`);
    plain(env.ingress?.host, `${p}.ingress.host`);
    for (const [svc, o] of Object.entries(env.services ?? {})) {
      const sp = `${p}.services.${svc}`;
      const base = spec.services.find((x) => x.name === svc);
      scope = base && { prefix: sp, service: svc, literal: literalOf(base), used: used.get(svc)! };
      plain(o.image, `${sp}.image`);
      plain(o.hostAddress, `${sp}.hostAddress`);
      envMap(o.env, `${sp}.env`);
      // The service's entrypoint stands where the override keeps it (a shell's script may follow it).
      if (o.entrypoint || o.command) argv(o.entrypoint ?? base?.entrypoint, o.command ?? (o.entrypoint ? undefined : base?.command), o.entrypoint && `${sp}.entrypoint`, o.command && `${sp}.command`);
    }
  }
  // An entry is a promise that its field holds such text: one that names another kind of field, or a field without "${", is refused.
  for (const s of spec.services) {
    (s.literalInterpolation ?? []).forEach((field, i) => {
      const path = `services.${s.name}.literalInterpolation[${i}]`;
      if (!LITERAL_FIELD.test(field)) out.push({ path, message: `"${field}" is not a field that can hold text with "\${": only env values and command words can (env.NAME, command[i], entrypoint[i], migration.command[i], health.liveness.exec.command[i], dev.env.NAME, dev.command[i])` });
      else if (!used.get(s.name)!.has(field)) out.push({ path, message: `"${field}" holds no "\${" (in the service or an environment's override); fix: remove the entry` });
    });
  }
}

/**
 * The fields of one service that hold `${` and could be listed in literalInterpolation (env values and
 * command words, not shell scripts, which may hold it anyway), by their path in the service: what
 * `infra import` lists when compose's `$${VAR}` escape left such text.
 */
export function literalInterpolationCandidates(service: ServiceSpec): string[] {
  const out: SpecIssue[] = [];
  checkUnresolvedInterpolation({ name: 'x', services: [{ ...service, literalInterpolation: [] }], environments: {} } as StackSpec, out);
  const prefix = `services.${service.name}.`;
  return out.map((i) => i.path.slice(prefix.length)).filter((f) => LITERAL_FIELD.test(f));
}
