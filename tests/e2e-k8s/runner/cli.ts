// Runs a manifest directory on the pod runner until interrupted (manual checks, other stacks).
//   node tools/run-ts.mjs tests/e2e-k8s/runner/cli.ts up DIR [--secrets FILE.yaml]...
//   node tools/run-ts.mjs tests/e2e-k8s/runner/cli.ts smoke DIR [--secrets FILE.yaml]...
//     up, then generic checks for any stack: every emptyDir and claim writable by the pod's
//     user, and a marker written to each claim survives deleting the pod; then removes all.
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
  if (!dir || !['up', 'smoke', 'check'].includes(cmd)) throw new Error('usage: cli.ts up|smoke|check DIR [--secrets FILE]... | cli.ts fields');
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
  if (cmd === 'smoke') {
    const ok = await smoke(cluster);
    await cluster.teardown();
    process.exit(ok ? 0 : 1);
  }
  for (const s of loaded.objects.filter((o) => o.kind === 'Service')) {
    for (const p of s.spec.ports) console.log(`port-forward svc/${s.metadata.name} ${p.port}: ${await cluster.portForward(s.metadata.namespace ?? 'default', s.metadata.name, p.port)}`);
  }
  console.log('Ctrl-C removes everything');
}

/** Stack-independent checks: writable declared paths, claims that outlive their pod. */
async function smoke(cluster: Cluster): Promise<boolean> {
  let ok = true;
  const say = (pass: boolean, line: string) => {
    ok &&= pass;
    console.log(`${pass ? 'ok  ' : 'FAIL'} ${line}`);
  };
  for (const w of cluster.workloads) {
    const spec = w.obj.spec.template.spec;
    const kinds = new Map<string, string>((spec.volumes ?? []).map((v: any) => [v.name, v.emptyDir ? 'emptyDir' : v.persistentVolumeClaim ? 'claim' : 'other']));
    for (const t of w.obj.spec.volumeClaimTemplates ?? []) kinds.set(t.metadata.name, 'claim');
    const claimMounts: { container: string; path: string }[] = [];
    const pod = () => w.pods.find((p) => !p.deleted && p.ready)!;
    for (const c of spec.containers) {
      for (const m of c.volumeMounts ?? []) {
        const kind = kinds.get(m.name);
        if (kind !== 'emptyDir' && kind !== 'claim') continue;
        const r = await pod().exec(c.name, ['sh', '-c', 'echo "$2" > "$1/.e2e-k8s-marker"', 'sh', m.mountPath, w.obj.metadata.name]);
        say(r.code === 0, `${w.obj.metadata.name}/${c.name}: ${kind} ${m.mountPath} writable by the pod's user${r.code ? `: ${r.stderr.trim()}` : ''}`);
        if (kind === 'claim' && r.code === 0) claimMounts.push({ container: c.name, path: m.mountPath });
      }
    }
    if (!claimMounts.length) continue;
    const old = pod();
    const t0 = Date.now();
    await cluster.deletePod(old.namespace, old.name);
    try {
      await cluster.waitReady(300_000);
    } catch (error) {
      say(false, `${w.obj.metadata.name}: not ready again after its pod was deleted: ${(error as Error).message}`);
      continue;
    }
    for (const m of claimMounts) {
      const r = await pod().exec(m.container, ['sh', '-c', 'read -r v < "$1/.e2e-k8s-marker" && echo "$v"', 'sh', m.path]);
      say(r.stdout.trim() === w.obj.metadata.name, `${w.obj.metadata.name}/${m.container}: ${m.path} kept its data after pod ${old.name} was deleted (${pod().name} ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  }
  console.log(cluster.events.filter((e) => /exited|Evicted|Error|forbidden/.test(e)).map((e) => `event: ${e}`).join('\n'));
  return ok;
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error.message);
  process.exit(1);
});
