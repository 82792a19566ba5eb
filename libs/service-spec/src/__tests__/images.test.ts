import { dockerfilePath, imageTagOf, isPinnedImage, mirrorImage, parseImageRef, planImages } from '../images';
import { resolve } from '../resolve';
import { todoStack } from '../stacks/todo';
import type { StackSpec } from '../types';

const DIGEST = `sha256:${'a'.repeat(64)}`;

describe('image references', () => {
  it.each([
    ['python:3.13-slim', { name: 'python', tag: '3.13-slim' }],
    ['registry:5000/team/api', { name: 'registry:5000/team/api' }],
    ['registry:5000/team/api:1.2', { name: 'registry:5000/team/api', tag: '1.2' }],
    [`python@${DIGEST}`, { name: 'python', digest: DIGEST }],
    [`python:3.13-slim@${DIGEST}`, { name: 'python', tag: '3.13-slim', digest: DIGEST }],
  ])('parses %s', (ref, parsed) => expect(parseImageRef(ref)).toEqual(parsed));

  it('pins tags and digests, never latest, untagged or a malformed digest', () => {
    expect(isPinnedImage(`python@${DIGEST}`)).toBe(true);
    expect(isPinnedImage(`python:latest@${DIGEST}`)).toBe(true);
    expect(isPinnedImage('python:3.13')).toBe(true);
    expect(isPinnedImage('registry:5000/python')).toBe(false);
    expect(isPinnedImage('python:latest')).toBe(false);
    expect(isPinnedImage('python@sha256:abc')).toBe(false);
  });

  it('mirrors a digest-pinned base by its exact key, else by the key without the digest', () => {
    expect(mirrorImage(`python:3.13-slim@${DIGEST}`, { [`python:3.13-slim@${DIGEST}`]: 'm/python:pinned' })).toBe('m/python:pinned');
    expect(mirrorImage(`python:3.13-slim@${DIGEST}`, { 'python:3.13-slim': 'local/python:3.11' })).toBe('local/python:3.11');
    expect(mirrorImage('python:3.13-slim', { [`python:3.13-slim@${DIGEST}`]: 'x' })).toBe('python:3.13-slim');
  });
});

describe('planImages', () => {
  const hash = () => 'f'.repeat(64);

  it('tags cover the resolved base images: a stand-in base never gets the official tag', () => {
    const official = planImages(todoStack, { sourceHash: hash });
    const standIn = planImages(todoStack, { sourceHash: hash, extraMirrors: { 'python:3.13-slim': 'local/python:3.11' } });
    expect(standIn.services.backend.tag).not.toBe(official.services.backend.tag);
    expect(standIn.services.frontend.tag).toBe(official.services.frontend.tag);
    expect(official.services.backend.tag).toBe(imageTagOf(hash(), { PYTHON_IMAGE: 'python:3.13-slim' }));
    expect(standIn.builds[standIn.services.backend.build]).toMatchObject({ buildArgs: { PYTHON_IMAGE: 'local/python:3.11' }, mirroredArgs: ['PYTHON_IMAGE'] });
  });

  it('a digest-pinned base changes the tag with its digest', () => {
    const withBase = (base: string): StackSpec => ({
      ...todoStack,
      services: todoStack.services.map((s) => (s.name === 'backend' ? { ...s, image: { build: { ...s.image.build!, baseImages: { PYTHON_IMAGE: base } } } } : s)),
    });
    const a = planImages(withBase(`python:3.13-slim@${DIGEST}`), { sourceHash: hash });
    const b = planImages(withBase(`python:3.13-slim@sha256:${'b'.repeat(64)}`), { sourceHash: hash });
    expect(a.services.backend.tag).not.toBe(b.services.backend.tag);
    expect(resolve(withBase(`python:3.13-slim@${DIGEST}`), 'local', { images: a }).services.find((s) => s.name === 'backend')!.build!.buildArgs).toEqual({
      PYTHON_IMAGE: `python:3.13-slim@${DIGEST}`,
    });
  });

  it('services with the same build share one plan, tagged for each repository', () => {
    const backend = todoStack.services.find((s) => s.name === 'backend')!;
    const spec: StackSpec = { ...todoStack, services: [...todoStack.services, { ...backend, name: 'worker', ingressPath: undefined, image: { ...backend.image, repository: 'todo-api' } }] };
    const plan = planImages(spec, { sourceHash: hash });
    expect(plan.builds.map((b) => b.services)).toEqual([['backend', 'worker'], ['frontend']]);
    expect(plan.builds[0].refs).toEqual([`todo-api:${plan.builds[0].tag}`, `todo-backend:${plan.builds[0].tag}`]);
    expect(plan.services.worker).toEqual({ repository: 'todo-api', tag: plan.builds[0].tag, ref: `todo-api:${plan.builds[0].tag}`, build: 0 });
  });

  it('resolve reads tags and build args from the plan', () => {
    const plan = planImages(todoStack, { sourceHash: hash, extraMirrors: { 'node:22-alpine': 'local/node:20' } });
    const stack = resolve(todoStack, 'production', { images: plan });
    const frontend = stack.services.find((s) => s.name === 'frontend')!;
    expect(frontend.image.endsWith(`todo-frontend:${plan.services.frontend.tag}`)).toBe(true);
    expect(frontend.build!.buildArgs).toEqual({ NODE_IMAGE: 'local/node:20' });
  });

  it('names the service when no source hash is available', () => {
    expect(() => planImages(todoStack)).toThrow('services.backend.image.build: no source hash for docker/backend/Dockerfile');
  });
});

describe('dockerfilePath: the Dockerfile is relative to the build context, as in compose', () => {
  it('joins the context and the Dockerfile, and defaults to Dockerfile in the context', () => {
    expect(dockerfilePath({ context: 'apps/api', dockerfile: 'Dockerfile.prod' })).toBe('apps/api/Dockerfile.prod');
    expect(dockerfilePath({ context: 'apps/api' })).toBe('apps/api/Dockerfile');
    expect(dockerfilePath({ context: '.', dockerfile: 'docker/api/Dockerfile' })).toBe('docker/api/Dockerfile');
    expect(dockerfilePath({ context: 'apps/api/', dockerfile: '../../docker/api/Dockerfile' })).toBe('docker/api/Dockerfile');
    expect(dockerfilePath({ context: '.' })).toBe('Dockerfile');
  });

  it('the build plan names the repo-relative Dockerfile that the context-relative one resolves to', () => {
    const spec: StackSpec = {
      name: 'ctx',
      services: [
        { name: 'api', role: 'api', image: { build: { context: 'apps/api' } } },
        { name: 'web', role: 'web', image: { build: { context: 'apps/web', dockerfile: 'docker/Dockerfile' } } },
      ],
      environments: { local: { target: 'compose' } },
    };
    const seen: string[] = [];
    const plan = planImages(spec, { sourceHash: (s) => (seen.push(`${s.context} ${s.dockerfile}`), 'f'.repeat(64)) });
    expect(plan.builds.map((b) => [b.context, b.dockerfile])).toEqual([
      ['apps/api', 'apps/api/Dockerfile'],
      ['apps/web', 'apps/web/docker/Dockerfile'],
    ]);
    expect(seen).toEqual(['apps/api apps/api/Dockerfile', 'apps/web apps/web/docker/Dockerfile']);
  });
});
