/**
 * The demo's stand-in `nvidia-smi`: a small POSIX sh + awk script written next to two state files
 * (`query-gpu.csv`, `query-compute-apps.csv`: every field, with units, as rendered by
 * smi-table.ts). Like the real tool it answers `--query-gpu=FIELDS` and
 * `--query-compute-apps=FIELDS` with `--format=csv[,noheader][,nounits]`: the requested columns
 * in the requested order, the header keeping its "[unit]" under nounits, values losing theirs.
 * Anything else (`-q -x`, `-L`, an unknown field) fails with a message and a non-zero status.
 *
 * Limitation: needs /bin/sh and awk (any POSIX system); the demo skips simulated GPUs on Windows.
 */
import { chmodSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** File names inside the stand-in's folder. */
export const STAND_IN_FILES = {
  script: 'nvidia-smi',
  gpus: 'query-gpu.csv',
  apps: 'query-compute-apps.csv',
} as const;

/** The script. It reads its tables from its own folder. */
export const STAND_IN_SCRIPT = `#!/bin/sh
# Stand-in nvidia-smi written by "llmwatch demo": the GPUs are simulated. It prints the columns
# asked for from tables in the real nvidia-smi CSV format kept in this folder.
dir=$(dirname "$0")
table=""; fields=""; format=""
for arg in "$@"; do
  case "$arg" in
    --query-gpu=*) table="$dir/${STAND_IN_FILES.gpus}"; fields="\${arg#--query-gpu=}" ;;
    --query-compute-apps=*) table="$dir/${STAND_IN_FILES.apps}"; fields="\${arg#--query-compute-apps=}" ;;
    --format=*) format="\${arg#--format=}" ;;
    *) echo "stand-in nvidia-smi (llmwatch demo): unsupported argument $arg" >&2; exit 2 ;;
  esac
done
if [ -z "$table" ]; then
  echo "stand-in nvidia-smi (llmwatch demo): only --query-gpu and --query-compute-apps" >&2
  exit 2
fi
case ",$format," in *,csv,*) ;; *) echo "--format=csv must be specified" >&2; exit 2 ;; esac
exec awk -v fields="$fields" -v format=",$format," '
BEGIN { FS = ", "; n = split(fields, want, ","); alias["used_memory"] = "used_gpu_memory"
  alias["gpu_name"] = "name"; alias["gpu_uuid"] = "uuid"; alias["gpu_bus_id"] = "pci.bus_id"
  nounits = index(format, ",nounits,") > 0; noheader = index(format, ",noheader,") > 0 }
NR == 1 {
  for (i = 1; i <= NF; i++) { name = $i; sub(/ \\[[^]]*\\]$/, "", name); col[name] = i }
  for (j = 1; j <= n; j++) {
    f = want[j]; if (!(f in col) && (f in alias)) f = alias[f]
    if (!(f in col)) { printf "Field \\"%s\\" is not a valid field to query.\\n", want[j] > "/dev/stderr"; bad = 1; exit 2 }
    pick[j] = col[f]; unit[j] = ""
    if (match($(col[f]), / \\[[^]]*\\]$/)) unit[j] = substr($(col[f]), RSTART + 2, RLENGTH - 3)
    line = (j == 1 ? "" : line ", ") $(col[f])
  }
  if (!noheader) print line
  next
}
{
  line = ""
  for (j = 1; j <= n; j++) {
    v = $(pick[j]); u = " " unit[j]
    if (nounits && unit[j] != "" && substr(v, length(v) - length(u) + 1) == u) v = substr(v, 1, length(v) - length(u))
    line = (j == 1 ? v : line ", " v)
  }
  print line
}
END { if (bad) exit 2 }' "$table"
`;

/** Writes the script into `dir`; returns its path. */
export function writeStandIn(dir: string): string {
  const path = join(dir, STAND_IN_FILES.script);
  writeFileSync(path, STAND_IN_SCRIPT);
  chmodSync(path, 0o755);
  return path;
}

/** Replaces the stand-in's tables atomically (write then rename), so a reader never sees half. */
export function writeStandInTables(dir: string, gpuTable: string, appsTable: string): void {
  for (const [name, text] of [
    [STAND_IN_FILES.gpus, gpuTable],
    [STAND_IN_FILES.apps, appsTable],
  ] as const) {
    const tmp = join(dir, `.${name}.tmp`);
    writeFileSync(tmp, text);
    renameSync(tmp, join(dir, name));
  }
}
