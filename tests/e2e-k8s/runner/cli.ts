// Runs a manifest directory on the pod runner until interrupted (manual checks, other stacks).
//   node tools/run-ts.mjs tests/e2e-k8s/runner/cli.ts up DIR [--secrets FILE.yaml]...
//   node tools/run-ts.mjs tests/e2e-k8s/runner/cli.ts check DIR        (refusals only, no Docker)
//   node tools/run-ts.mjs tests/e2e-k8s/runner/cli.ts fields          (what the runner models)
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Cluster, loadMirrors } from './cluster';
import { admit, loadDir, parseObjects } from './manifests';
import { describeSchema, NOT_RUN } from './schema';

async function main(argv: string[]): Promise<void> {
  const [cmd, dir, ...rest] = argv;
  if (cmd === 'fields') {
    const d = describeSchema();
    console.log(`implemented:\n  ${d.implemented.join('\n  ')}\naccepted without runtime meaning here:\n  ${d.noop.join('\n  ')}\nnot run (kinds):\n  ${Object.entries(NOT_RUN).map(([k, v]) => `${k}: ${v}`).join('\n  ')}`);
    return;
  }
  if (!dir || (cmd !== 'up' && cmd !== 'check')) throw new Error('usage: cli.ts up|check DIR [--secrets FILE]... | cli.ts fields');
  const loaded = loadDir(resolve(dir));
  for (const l of loaded.notRun) console.log(l);
  for (const l of loaded.noops) console.log(`accepted, no runtime meaning here: ${l}`);
  if (cmd === 'check') return console.log(`${loaded.objects.length} objects: every field modelled`);
  const extra = [];
  for (let i = 0; i < rest.length; i++) if (rest[i] === '--secrets') extra.push(...admit(parseObjects(readFileSync(rest[++i], 'utf8'), rest[i]), rest[i]).objects);
  const prefix = `e2ek8s-cli-${process.pid}`;
  const stateDir = join(process.cwd(), 'tmp', 'e2e-k8s', prefix);
  mkdirSync(stateDir, { recursive: true });
  const cluster = new Cluster({ prefix, stateDir, mirrors: loadMirrors() });
  const stop = async () => {
    await cluster.teardown();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await cluster.start();
  const started = Date.now();
  await cluster.apply(loaded.objects.filter((o) => o.kind === 'Namespace'));
  await cluster.apply(extra);
  await cluster.apply(loaded.objects.filter((o) => o.kind !== 'Namespace'));
  try {
    await cluster.waitReady(Number(process.env.E2E_K8S_READY_TIMEOUT_S ?? 600) * 1000);
  } catch (error) {
    console.error((error as Error).message);
    await cluster.teardown();
    process.exit(1);
  }
  console.log(`all workloads ready ${((Date.now() - started) / 1000).toFixed(1)} s after apply`);
  for (const s of loaded.objects.filter((o) => o.kind === 'Service')) {
    for (const p of s.spec.ports) console.log(`port-forward svc/${s.metadata.name} ${p.port}: ${await cluster.portForward(s.metadata.namespace ?? 'default', s.metadata.name, p.port)}`);
  }
  console.log('Ctrl-C removes everything');
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
