import { BACKEND, MIGRATE, POSTGRES, api, messages, withChange } from './__fixtures__/harness';
import { imageTag } from '../core/image-ref';
import { imageTagRule } from './rules/image-tag';
import { probes } from './rules/probes';
import { resources } from './rules/resources';

const B = 'backend.yaml: Deployment/todo/backend spec.template.spec.containers[0]';

describe('probes', () => {
  it('requires liveness and readiness on long-running containers', () => {
    const objs = withChange(BACKEND, (d) => delete api(d).livenessProbe);
    expect(messages(probes, objs)).toEqual([
      `${B}.livenessProbe: container "api" has no livenessProbe; fix: add an httpGet, tcpSocket or exec livenessProbe`,
    ]);
  });

  it('does not require probes on Jobs', () => {
    const objs = withChange(MIGRATE, (d) => expect(api(d).livenessProbe).toBeUndefined());
    expect(messages(probes, objs)).toEqual([]);
  });

  it('rejects a numeric or named port the container does not declare', () => {
    const objs = withChange(BACKEND, (d) => {
      api(d).livenessProbe = { httpGet: { path: '/healthz', port: 'web' } };
      api(d).readinessProbe = { tcpSocket: { port: 8080 } };
    });
    expect(messages(probes, objs)).toEqual([
      `${B}.livenessProbe.httpGet.port: container "api" probes port "web" which it does not declare; fix: probe a port listed in ports (by number or name)`,
      `${B}.readinessProbe.tcpSocket.port: container "api" probes port 8080 which it does not declare; fix: probe a port listed in ports (by number or name)`,
    ]);
  });

  it('treats a native sidecar init container as long-running', () => {
    const sidecar = { name: 'proxy', image: 'envoy:1.31', restartPolicy: 'Always' };
    const objs = withChange(BACKEND, (d) => (d.spec.template.spec.initContainers = [{ name: 'setup', image: 'busybox:1.36' }, sidecar]));
    expect(messages(probes, objs)).toEqual([
      'backend.yaml: Deployment/todo/backend spec.template.spec.initContainers[1].livenessProbe: container "proxy" has no livenessProbe; fix: add an httpGet, tcpSocket or exec livenessProbe',
      'backend.yaml: Deployment/todo/backend spec.template.spec.initContainers[1].readinessProbe: container "proxy" has no readinessProbe; fix: add an httpGet, tcpSocket or exec readinessProbe',
    ]);
  });

  it('accepts exec probes without ports', () => {
    const objs = withChange(POSTGRES, (d) => {
      delete api(d).ports;
      api(d).readinessProbe = { exec: { command: ['pg_isready'] } };
    });
    expect(messages(probes, objs)).toEqual([]);
  });
});

describe('resources', () => {
  it('names each missing request and limit', () => {
    const objs = withChange(BACKEND, (d) => (api(d).resources = { requests: { cpu: '100m' }, limits: { memory: '1Gi' } }));
    expect(messages(resources, objs)).toEqual([
      `${B}.resources.requests.memory: container "api" has no memory request; fix: set resources.requests.memory`,
      `${B}.resources.limits.cpu: container "api" has no cpu limit; fix: set resources.limits.cpu`,
    ]);
  });

  it('covers init containers', () => {
    const objs = withChange(MIGRATE, (d) => delete d.spec.template.spec.initContainers[0].resources.limits);
    expect(messages(resources, objs)).toEqual([
      'migrate-job.yaml: Job/todo/backend-migrate spec.template.spec.initContainers[0].resources.limits.cpu: container "wait-for-db" has no cpu limit; fix: set resources.limits.cpu',
      'migrate-job.yaml: Job/todo/backend-migrate spec.template.spec.initContainers[0].resources.limits.memory: container "wait-for-db" has no memory limit; fix: set resources.limits.memory',
    ]);
  });
});

describe('image tags', () => {
  it.each([
    ['todo-backend:1.2.3', '1.2.3'],
    ['registry.local:5000/todo/backend', null],
    ['registry.local:5000/todo/backend:abc', 'abc'],
    ['postgres', null],
  ])('imageTag(%s) = %s', (image, tag) => expect(imageTag(image)).toBe(tag));

  it('rejects :latest, untagged images and a registry port mistaken for a tag', () => {
    const objs = withChange(BACKEND, (d) => (api(d).image = 'todo-backend:latest'));
    expect(messages(imageTagRule, objs)).toEqual([
      `${B}.image: container "api" uses todo-backend:latest; fix: pin a version tag or @sha256 digest`,
    ]);
    const untagged = withChange(BACKEND, (d) => (api(d).image = 'registry.local:5000/todo-backend'));
    expect(messages(imageTagRule, untagged)).toEqual([
      `${B}.image: container "api" uses untagged image registry.local:5000/todo-backend; fix: pin a version tag or @sha256 digest`,
    ]);
  });

  it('accepts a digest without a tag', () => {
    const objs = withChange(BACKEND, (d) => (api(d).image = `todo-backend@sha256:${'a'.repeat(64)}`));
    expect(messages(imageTagRule, objs)).toEqual([]);
  });
});
