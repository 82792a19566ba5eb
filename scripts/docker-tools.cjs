#!/usr/bin/env node
// The one detection of the Docker client and Compose, for every script and test.
//   Docker:  $DOCKER, else `docker` from PATH (the machine's own client).
//   BuildKit: `docker buildx build --load` when the buildx plugin is present; else plain
//            `docker build` with DOCKER_BUILDKIT=1, which only clients before
//            23.0 can do without buildx (newer ones refuse; we say how to fix it).
//   Compose: $COMPOSE (a command line), else `docker compose` v2 (the CLI plugin).
//            Compose v1 (docker-compose 1.29, end-of-life) is not supported.
// scripts/docker-plugins.sh (run by scripts/ensure-system.sh) installs both plugins.
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
      'install the buildx plugin: run scripts/docker-plugins.sh (builds it from tools/go-tools/buildx), or install docker-buildx-plugin';
  }
  cache.set(key, result);
  return result;
}

/** Major version of `<docker> compose` (the plugin), or NaN when it does not run. */
function composeMajor(docker, env) {
  const r = quiet(docker, ['compose', 'version', '--short'], env);
  return r.ok ? Number.parseInt(r.out.replace(/^v/, ''), 10) : Number.NaN;
}

/** @returns {{ command: string[], version: 'v2' | 'custom' }} Compose as argv: `[docker, 'compose']`, or $COMPOSE split. */
function detectCompose(env = process.env) {
  const docker = env.DOCKER || 'docker';
  const key = `compose\0${docker}\0${env.COMPOSE ?? ''}`;
  if (cache.has(key)) return cache.get(key);
  let result;
  if (env.COMPOSE) result = { command: env.COMPOSE.split(/\s+/).filter(Boolean), version: 'custom' };
  else {
    const major = composeMajor(docker, env);
    if (major >= 2) result = { command: [docker, 'compose'], version: 'v2' };
    else
      throw new Error(
        `"${docker} compose" ${Number.isNaN(major) ? 'does not run' : `is Compose ${major}.x`}: Compose v2 is required; ` +
          'run scripts/docker-plugins.sh (builds the plugin from tools/go-tools/compose), or install docker-compose-plugin, or set COMPOSE',
      );
  }
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
      const problems = d.problem ? [d.problem] : [];
      try {
        compose = detectCompose();
      } catch (e) {
        compose = { command: [], version: 'none' };
        problems.push(e.message);
      }
      lines.push(`COMPOSE=${shellQuote(compose.command.join(' '))}`, `COMPOSE_VERSION=${compose.version}`);
      if (problems.length) lines.push(`DOCKER_PROBLEM=${shellQuote(problems.join('\n'))}`);
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
