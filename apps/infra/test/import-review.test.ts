import { validate, type StackSpec } from '@todo/service-spec';
import { parse } from 'yaml';
import { importCompose } from '../src/import/compose-import';
import { interpolate } from '../src/import/interpolate';
import type { ImportEntry } from '../src/import/report';
import { renderOutputs } from '../src/outputs';

/** Issue 19, a reviewer's findings: fields the import said it mapped that the spec then refused or lost. */
const repoPath = (p: string) => p.replace(/^\.\//, '');
const imported = (services: Record<string, unknown>, extra: Record<string, unknown> = {}) => importCompose({ services, ...extra }, { name: 'demo', repoPath });
const svc = (spec: StackSpec, name: string) => spec.services.find((s) => s.name === name)!;
const at = (report: ImportEntry[], path: string) => report.filter((e) => e.path === path);
const composeOf = (spec: StackSpec) => parse(renderOutputs({ ...spec, environments: { local: spec.environments.local } }, {}).files.find((f) => f.path === 'docker/docker-compose.yml')!.content);
function kubernetesObjects(spec: StackSpec): any[] {
  const { files } = renderOutputs({ ...spec, environments: { kubernetes: spec.environments.kubernetes } }, {});
  return files.filter((f) => f.path.startsWith('dist/k8s/')).flatMap((f) => f.content.split(/^---$/m).map((d) => parse(d)).filter(Boolean));
}

describe("import: compose's $${VAR} escape is text the container gets as is, on both targets", () => {
  const source = {
    web: {
      image: 'example/web:1.0',
      environment: { GREETING: 'hello $${NAME}', PLAIN: 'x' },
      command: ['render', '--template=$${HOME}/t'],
      healthcheck: { test: ['CMD', 'check', '$${PORT}'] },
    },
  };

  it('the spec validates, lists each field in literalInterpolation, and the report says why at the compose path', () => {
    const { spec, report } = imported(source);
    expect(svc(spec, 'web')).toMatchObject({ env: { GREETING: 'hello ${NAME}' }, command: ['render', '--template=${HOME}/t'], literalInterpolation: ['env.GREETING', 'command[1]', 'health.liveness.exec.command[1]'] });
    expect(validate(spec)).toEqual([]);
    for (const path of ['services.web.environment.GREETING', 'services.web.command[1]', 'services.web.healthcheck.test[2]']) {
      expect(at(report, path)).toContainEqual({ path, status: 'mapped', message: expect.stringContaining('holds the text "${" as compose passes it') });
    }
  });

  it('round trip: our compose file reads back (interpolated as compose would) to the source\'s values; Kubernetes gets the text as is', () => {
    const { spec } = imported(source);
    const web = composeOf(spec).services.web;
    const read = (v: string) => interpolate(v, () => undefined).value;
    expect(web.environment.GREETING).toBe('hello $${NAME}');
    expect(read(web.environment.GREETING)).toBe(read(source.web.environment.GREETING));
    expect(web.command.map(read)).toEqual(source.web.command.map(read));
    expect(web.healthcheck.test.map(read)).toEqual(source.web.healthcheck.test.map(read));
    const objects = kubernetesObjects(spec);
    const config = objects.find((o) => o.kind === 'ConfigMap' && o.data?.GREETING !== undefined);
    expect(config.data.GREETING).toBe('hello ${NAME}');
    const container = objects.find((o) => o.kind === 'Deployment').spec.template.spec.containers[0];
    expect(container.args).toEqual(['render', '--template=${HOME}/t']);
    expect(container.livenessProbe.exec.command).toEqual(['check', '${PORT}']);
  });

  it('a shell script keeps $${VAR} without an entry (validation accepts a shell\'s ${VAR} already)', () => {
    const { spec } = imported({ web: { image: 'example/web:1.0', command: ['sh', '-c', 'echo $${HOME}'] } });
    expect(svc(spec, 'web').literalInterpolation).toBeUndefined();
    expect(validate(spec)).toEqual([]);
  });
});
