#!/usr/bin/env node
// The one detection of the Docker client and Compose, for every script and test.
//   Docker:  $DOCKER, else `docker` from PATH.
//   BuildKit: `docker buildx build --load` when buildx is present; else plain
//            `docker build` with DOCKER_BUILDKIT=1, which only clients before
//            23.0 can do without buildx (newer ones refuse; we say how to fix it).
//   Compose: $COMPOSE (a command line), else `docker compose` (v2) when present,
//            else `docker-compose` (v1.29).
// From a shell: eval "$(node scripts/docker-tools.cjs env)" sets DOCKER,
// DOCKER_BUILD (the build command line), COMPOSE and COMPOSE_VERSION.
// CommonJS so that ESM scripts, TypeScript tests and shells can all load it.
'use strict';
const { spawnSync } = require('node:child_process');

const quiet = (cmd, args, env = process.env) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  return { ok: !r.error && r.status === 0, out: String(r.stdout ?? '').trim() };
};

/** Major version of the client, or NaN when it does not answer. */
function clientMajor(docker, env) {
  const r = quiet(docker, ['version', '--format', '{{.Client.Version}}'], env);
  return r.ok ? Number.parseInt(r.out, 10) : Number.NaN;
}

const cache = new Map();

/**
 * @returns {{ docker: string, clientVersion: number, buildx: boolean,
 *   build: string[], buildEnv: Record<string, string>, problem?: string }}
 * `build` is the argv (after `docker`) that starts a BuildKit build whose
 * result lands in the local engine; append the usual build flags to it.
 * `problem` is set when this client cannot build with BuildKit.
 */
function detectDocker(env = process.env) {
  const docker = env.DOCKER || 'docker';
  const key = `docker\0${docker}`;
  if (cache.has(key)) return cache.get(key);
  const clientVersion = clientMajor(docker, env);
  const buildx = quiet(docker, ['buildx', 'version'], env).ok;
  const result = { docker, clientVersion, buildx, build: buildx ? ['buildx', 'build', '--load'] : ['build'], buildEnv: buildx ? {} : { DOCKER_BUILDKIT: '1' } };
  if (Number.isNaN(clientVersion)) {
    result.problem = `"${docker}" does not run; install Docker or set DOCKER to the client's path`;
  } else if (!buildx && clientVersion >= 23) {
    result.problem =
      `"${docker}" (client ${clientVersion}.x) builds with BuildKit only through buildx, which is missing: ` +
      'install the buildx plugin (docker-buildx-plugin), or set DOCKER to a client that builds with DOCKER_BUILDKIT=1 (e.g. /usr/bin/docker from Debian docker.io 20.10)';
  }
  cache.set(key, result);
  return result;
}

/** @returns {{ command: string[], version: 'v2' | 'v1' | 'custom' }} Compose as argv: `[docker, 'compose']` or `['docker-compose']`. */
function detectCompose(env = process.env) {
  const docker = env.DOCKER || 'docker';
  const key = `compose\0${docker}\0${env.COMPOSE ?? ''}`;
  if (cache.has(key)) return cache.get(key);
  let result;
  if (env.COMPOSE) result = { command: env.COMPOSE.split(/\s+/).filter(Boolean), version: 'custom' };
  else if (quiet(docker, ['compose', 'version'], env).ok) result = { command: [docker, 'compose'], version: 'v2' };
  else if (quiet('docker-compose', ['version'], env).ok) result = { command: ['docker-compose'], version: 'v1' };
  else throw new Error(`no Compose found: neither "${docker} compose" (v2) nor "docker-compose" (v1.29) runs; install the Compose plugin or set COMPOSE`);
  cache.set(key, result);
  return result;
}

const shellQuote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

if (require.main === module) {
  const [cmd] = process.argv.slice(2);
  try {
    if (cmd === 'env') {
      const d = detectDocker();
      const lines = [`DOCKER=${shellQuote(d.docker)}`, `DOCKER_BUILD=${shellQuote([...Object.entries(d.buildEnv).map(([k, v]) => `${k}=${v}`), d.docker, ...d.build].join(' '))}`];
      let compose;
      try {
        compose = detectCompose();
      } catch {
        compose = { command: [], version: 'none' };
      }
      lines.push(`COMPOSE=${shellQuote(compose.command.join(' '))}`, `COMPOSE_VERSION=${compose.version}`);
      if (d.problem) lines.push(`DOCKER_PROBLEM=${shellQuote(d.problem)}`);
      console.log(lines.map((l) => `${l}; export ${l.split('=')[0]}`).join('\n'));
    } else if (cmd === 'describe') {
      console.log(JSON.stringify({ docker: detectDocker(), compose: detectCompose() }, null, 2));
    } else {
      console.error('usage: node scripts/docker-tools.cjs <env|describe>');
      process.exit(2);
    }
  } catch (e) {
    console.error(`docker-tools: ${e.message}`);
    process.exit(1);
  }
}

module.exports = { detectDocker, detectCompose };
