import { join } from 'node:path';
import { DOCKERFILE_RULES } from './rules';
import { DockerfileRule, parseDockerfile, readDockerfile, substitute } from './model';
import { aptLists } from './rules/apt-lists';
import { basePinned } from './rules/base-pinned';
import { execForm } from './rules/exec-form';
import { healthcheck } from './rules/healthcheck';
import { noSecretEnv } from './rules/no-secret-env';
import { nonRootUser } from './rules/non-root-user';

const GOOD = join(__dirname, '__fixtures__', 'good.Dockerfile');

// Each failing fixture is a minimal Dockerfile; the file name in messages is always `Dockerfile`.
const TAIL = 'USER 1000\nHEALTHCHECK CMD ["node", "-e", "1"]\nCMD ["node", "server.js"]\n';
const messages = (rule: DockerfileRule, text: string) => rule.check(parseDockerfile(text, 'Dockerfile')).map((v) => v.message);

describe('the realistic Dockerfile', () => {
  it.each(DOCKERFILE_RULES.map((r) => [r.id, r]))('passes %s', (_id, rule) => {
    expect(rule.check(readDockerfile(GOOD))).toEqual([]);
  });

  it('resolves the ARG default of both stages', () => {
    expect(readDockerfile(GOOD).stages.map((s) => [s.name, s.base])).toEqual([
      ['builder', 'python:3.13-slim'],
      ['runtime', 'python:3.13-slim'],
    ]);
  });
});

describe('substitute', () => {
  const vars = new Map<string, string | undefined>([['A', 'x'], ['E', '']]);
  it.each([
    ['${A}:1', 'x:1'], ['$A', 'x'], ['${B:-node}:20', 'node:20'], ['${E:-d}', 'd'], ['${A:+y}', 'y'], ['${B}', null],
  ])('%s -> %s', (text, out) => expect(substitute(text, vars)).toBe(out));
});

describe('dockerfile-base-pinned', () => {
  it('rejects latest, untagged and default-less ARG bases; accepts digests and stage references', () => {
    const text = 'ARG BASE=node:latest\nARG NOPE\nFROM ${BASE} AS a\nFROM registry:5000/node\nFROM ${NOPE}\nFROM node@sha256:' +
      'a'.repeat(64) + '\nFROM a\nFROM scratch\n' + TAIL;
    expect(messages(basePinned, text)).toEqual([
      'Dockerfile:3: FROM node:latest (from ${BASE}) uses latest; fix: pin a version tag or @sha256 digest',
      'Dockerfile:4: FROM registry:5000/node has no tag; fix: pin a version tag or @sha256 digest',
      'Dockerfile:5: FROM ${NOPE} uses an ARG without a default; fix: give the ARG before the first FROM a pinned default, e.g. ARG BASE=python:3.13-slim',
    ]);
  });
});

describe('dockerfile-non-root-user', () => {
  it('rejects a missing USER and a final USER root', () => {
    expect(messages(nonRootUser, 'FROM node:20\nCMD ["node"]\n')).toEqual([
      'Dockerfile:1: the final stage has no USER and would run as root; fix: add USER 1000:1000 (numeric, works on every base)',
    ]);
    expect(messages(nonRootUser, 'FROM node:20\nUSER 1000\nRUN x\nUSER 0:0\n')).toEqual([
      'Dockerfile:4: USER 0:0 runs the image as root; fix: use a non-root numeric uid such as USER 1000:1000',
    ]);
  });

  it('only the final stage counts, inheriting USER from the stage it is built FROM', () => {
    expect(messages(nonRootUser, 'FROM node:20 AS build\nUSER 1000\nFROM node:20\n')).toHaveLength(1);
    expect(messages(nonRootUser, 'FROM node:20 AS base\nUSER node\nFROM base\nCMD ["node"]\n')).toEqual([]);
    expect(messages(nonRootUser, 'ARG UID=root\nFROM node:20\nUSER ${UID}\n')).toEqual([
      'Dockerfile:3: USER ${UID} runs the image as root; fix: use a non-root numeric uid such as USER 1000:1000',
    ]);
  });
});

describe('dockerfile-healthcheck', () => {
  it('requires a HEALTHCHECK in the final stage, HEALTHCHECK NONE fails', () => {
    expect(messages(healthcheck, 'FROM node:20 AS b\nHEALTHCHECK CMD ["x"]\nFROM node:20\nUSER 1\n')).toEqual([
      'Dockerfile:3: the final stage has no HEALTHCHECK; fix: add HEALTHCHECK CMD ["<runtime>", "-c", "..."] against 127.0.0.1',
    ]);
    expect(messages(healthcheck, 'FROM node:20\nHEALTHCHECK NONE\n')).toEqual([
      'Dockerfile:2: HEALTHCHECK NONE disables the health check; fix: probe the service with its own runtime (python -c / node -e)',
    ]);
  });
});

describe('dockerfile-exec-form', () => {
  it('rejects shell-form CMD, ENTRYPOINT and HEALTHCHECK CMD', () => {
    const text = 'FROM node:20\nENTRYPOINT node\nHEALTHCHECK --interval=5s CMD wget -q localhost\nCMD node server.js\n';
    expect(messages(execForm, text)).toEqual([
      'Dockerfile:2: ENTRYPOINT node is in shell form; fix: write ENTRYPOINT ["executable", "arg", ...] so signals reach the process and no shell is needed',
      'Dockerfile:3: HEALTHCHECK CMD wget -q localhost is in shell form; fix: write HEALTHCHECK CMD ["executable", "arg", ...] so signals reach the process and no shell is needed',
      'Dockerfile:4: CMD node server.js is in shell form; fix: write CMD ["executable", "arg", ...] so signals reach the process and no shell is needed',
    ]);
  });
});

describe('dockerfile-no-secret-env', () => {
  it('rejects secret names and secret values in ARG and ENV', () => {
    const text = 'ARG NPM_TOKEN\nFROM node:20\nENV A=1 OPENAI_API_KEY=x\nENV DB=postgresql://todo:pw@db/todo\nARG PIP_INDEX_URL=https://u:p@pypi.local/simple\n' + TAIL;
    expect(messages(noSecretEnv, text)).toEqual([
      'Dockerfile:1: ARG NPM_TOKEN looks like a secret and is stored in the image history; fix: pass it at run time, or at build time with RUN --mount=type=secret',
      'Dockerfile:3: ENV OPENAI_API_KEY looks like a secret and is stored in the image history; fix: pass it at run time, or at build time with RUN --mount=type=secret',
      'Dockerfile:4: ENV DB holds a URL with an embedded password; fix: remove it, pass secrets at run time',
      'Dockerfile:5: ARG PIP_INDEX_URL holds a URL with an embedded password; fix: remove it, pass secrets at run time',
    ]);
  });
});

describe('dockerfile-apt-lists', () => {
  it('rejects apt-get install without removing the lists in the same RUN', () => {
    const text = 'FROM debian:12\nRUN apt-get update && apt-get -y install curl\nRUN rm -rf /var/lib/apt/lists/*\n' + TAIL;
    expect(messages(aptLists, text)).toEqual([
      'Dockerfile:2: apt-get install leaves /var/lib/apt/lists in the layer; fix: end the same RUN with && rm -rf /var/lib/apt/lists/*',
    ]);
  });

  it('accepts a cache mount on the lists', () => {
    const text = 'FROM debian:12\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y curl\n';
    expect(messages(aptLists, text)).toEqual([]);
  });
});
