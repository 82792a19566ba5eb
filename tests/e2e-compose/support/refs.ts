import { runSync } from './sh';
import { summary } from './summary';

/** Repository -> the ref the sources build (infra images plan); notes stand-in bases in the summary. */
export function expectedRefs(): Record<string, string> {
  const refs: Record<string, string> = {};
  const r = runSync(process.execPath, ['tools/run-ts.mjs', 'apps/infra/src/cli.ts', 'images', 'plan']);
  if (r.status !== 0) throw new Error(`infra images plan: ${r.stderr}`);
  const plan = JSON.parse(r.stdout) as {
    services: Record<string, { ref: string }>;
    builds: { refs: string[]; mirroredArgs: string[]; buildArgs: Record<string, string>; baseImages: Record<string, string> }[];
  };
  for (const { ref } of Object.values(plan.services)) refs[ref.split(':')[0]] = ref;
  const standIns = plan.builds.flatMap((b) => b.mirroredArgs.map((a) => `${b.refs.join(',')} ${a}=${b.buildArgs[a]} (official ${b.baseImages[a]})`));
  summary.bases = standIns.length ? `STAND-IN bases: ${standIns.join('; ')}` : 'official bases';
  return refs;
}
