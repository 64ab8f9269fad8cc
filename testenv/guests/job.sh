#!/bin/sh
# A drill job: records its execution (start and end, real milliseconds) in the shared drill ledger.
# usage: job.sh LEDGER SITE VM JOB DURATION_MS
set -eu
ledger=$1 site=$2 vm=$3 job=$4 duration_ms=$5
id="$vm-$$"
now_ms() { date +%s%3N; }
printf '{"ev":"start","id":"%s","site":"%s","vm":"%s","job":"%s","epoch":"%s","t":%s}\n' "$id" "$site" "$vm" "$job" "${PRA_EPOCH:-}" "$(now_ms)" >>"$ledger"
sleep "$(awk "BEGIN { printf \"%.3f\", $duration_ms / 1000 }")"
printf '{"ev":"end","id":"%s","t":%s}\n' "$id" "$(now_ms)" >>"$ledger"
