#!/usr/bin/env bash
# Time of `scan` on an unchanged image (issue 17 target: <= 5 s, the SBOM reused), per todo image:
#   script  node scripts/image-security.mjs scan (what the target runs; plan + osv-scanner)
#   nx      npx nx run <project>:scan, with its docker-build and sbom dependencies (each a no-op
#           here) and Nx's own start-up (no daemon, as CI runs it)
# Runs sbom once first, so the SBOMs exist. With OSV_DB_MIRROR unset the scan runs with
# --allow-no-database (no matching); set it to time the match too.
#   bash bench/images/scan-unchanged.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_DAEMON=false NX_TUI=false NX_NO_CLOUD=true
allow=(); [ -n "${OSV_DB_MIRROR:-}" ] || allow=(--allow-no-database)
ms() { local t0; t0=$(date +%s%N); "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; echo $((($(date +%s%N) - t0) / 1000000)); }
printf '%-16s %10s %10s\n' image 'script ms' 'nx ms'
for p in backend frontend; do
  npx nx run "docker-$p:sbom" >/dev/null
  s=$(ms node scripts/image-security.mjs scan "${allow[@]}" "todo-$p")
  n=$(ms npx nx run "docker-$p:scan" "${allow[@]}")
  printf '%-16s %10s %10s\n' "todo-$p" "$s" "$n"
done
