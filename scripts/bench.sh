#!/usr/bin/env bash
# make bench: the provider's performance targets, measured against the local emulator.
#
#  (a) sessions per second: BENCH_SESSIONS upload sessions in one `terraform apply` of a saved plan,
#      against an emulator limited to 100 ApplyUpload calls per second with 20 ms latency per call;
#  (b) start-up: `terraform providers schema -json` with this provider vs. with no provider;
#  (c) binary size, as built by default and as released (-trimpath -ldflags "-s -w").
# Prints a table (also written to BENCH_OUT when set). Needs Go, Terraform >= 1.11 and curl;
# the arithmetic is awk, the clock `date +%s.%N`.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=bench
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
sessions=${BENCH_SESSIONS:-300}
startup_runs=${BENCH_STARTUP_RUNS:-7}
api_rate_limit=100
api_latency=20ms

require_tools go terraform curl
make_work_dir BENCH_KEEP

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# stats FILE: "median mean min max" of the numbers in FILE, one per line.
stats() {
	sort -g "$1" | awk '
		{ v[NR] = $1; sum += $1 }
		END {
			median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f %.3f", median, sum / NR, v[1], v[NR]
		}'
}

# count_calls ACTION [CODE]: how many ACTION calls (answered with error CODE, when given) the
# emulator has logged so far. It logs one line per API request, rate-limited ones included:
#   level=INFO msg="api call" service=vod action=ApplyUpload request_id=... code=OK
count_calls() {
	awk -v action="$1" -v code="${2:-}" '
		/msg="api call"/ && index($0, " action=" action " ") {
			if (code == "" || index($0, " code=" code)) n++
		}
		END { print n + 0 }' "$work/emulator.log"
}

step "building the provider and the emulator"
build_binaries
mkdir -p "$work/release" "$work/sessions" "$work/schema" "$work/empty"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/release/terraform-provider-tencentvod" .)

step "starting the emulator (-rate-limit $api_rate_limit -latency $api_latency)"
start_emulator -rate-limit "$api_rate_limit" -latency "$api_latency"
use_emulator

# (a) Every session is opened because the provisioner reads all of them, and it fails unless
# every one returned a request id. Plan and apply each open all sessions once.
cat >"$work/sessions/main.tf" <<EOF
terraform {
  required_providers {
    tencentvod = {
      source = "tencentvod/tencentvod"
    }
  }
}

provider "tencentvod" {}

ephemeral "tencentvod_upload_session" "s" {
  count      = $sessions
  media_type = "mp4"
}

resource "terraform_data" "consume" {
  provisioner "local-exec" {
    command = "test \"\$OPENED\" = \"$sessions\""
    environment = {
      OPENED = length([for s in ephemeral.tencentvod_upload_session.s : s.request_id if s.request_id != null])
    }
  }
}
EOF

step "(a) terraform plan -out with $sessions sessions (not timed)"
terraform -chdir="$work/sessions" plan -input=false -no-color -out=tfplan >"$work/plan.log" 2>&1 ||
	{ tail -n 40 "$work/plan.log" >&2; die "terraform plan failed"; }
calls_before=$(count_calls ApplyUpload)
limited_before=$(count_calls ApplyUpload RequestLimitExceeded)

step "(a) terraform apply tfplan (timed)"
start=$(now)
terraform -chdir="$work/sessions" apply -input=false -no-color tfplan >"$work/apply.log" 2>&1 ||
	{ tail -n 40 "$work/apply.log" >&2; die "terraform apply failed"; }
end=$(now)
apply_seconds=$(elapsed "$start" "$end")
sessions_per_second=$(awk -v n="$sessions" -v s="$apply_seconds" 'BEGIN { printf "%.1f", n / s }')
ideal_seconds=$(awk -v n="$sessions" -v r="$api_rate_limit" 'BEGIN { printf "%.2f", n / r }')

calls_after=$(count_calls ApplyUpload)
limited_after=$(count_calls ApplyUpload RequestLimitExceeded)
apply_calls=$((calls_after - calls_before))
apply_limited=$((limited_after - limited_before))

# (b) Terraform alone vs. Terraform starting this provider and fetching its schema.
cat >"$work/schema/main.tf" <<'EOF'
terraform {
  required_providers {
    tencentvod = {
      source = "tencentvod/tencentvod"
    }
  }
}
EOF

time_schema() {
	local dir=$1 out=$2 i start end
	: >"$out"
	for ((i = 0; i < startup_runs; i++)); do
		start=$(now)
		terraform -chdir="$dir" providers schema -json >"$work/schema.json" 2>"$work/schema.err" ||
			{ cat "$work/schema.err" >&2; die "terraform providers schema failed in $dir"; }
		end=$(now)
		elapsed "$start" "$end" >>"$out"
		echo >>"$out"
	done
}

step "(b) terraform providers schema -json, $startup_runs runs each"
time_schema "$work/empty" "$work/startup-empty.txt"
grep -q '"tencentvod/tencentvod"' "$work/schema.json" && die "the empty directory unexpectedly loaded the provider"
time_schema "$work/schema" "$work/startup-provider.txt"
grep -q 'tencentvod_upload_session' "$work/schema.json" || die "the provider's schema lacks tencentvod_upload_session"
read -r empty_median empty_mean empty_min empty_max <<<"$(stats "$work/startup-empty.txt")"
read -r provider_median provider_mean provider_min provider_max <<<"$(stats "$work/startup-provider.txt")"
startup_cost_ms=$(awk -v a="$empty_median" -v b="$provider_median" 'BEGIN { printf "%.0f", (b - a) * 1000 }')

# (c)
size_mib() { awk -v b="$(wc -c <"$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
dev_size=$(size_mib "$work/plugins/terraform-provider-tencentvod")
release_size=$(size_mib "$work/release/terraform-provider-tencentvod")

report() {
	echo "terraform-provider-tencentvod benchmark ($(terraform version | head -n 1), $(go env GOVERSION), $(uname -sm))"
	echo
	echo "(a) upload sessions in one apply of a saved plan (emulator: $api_rate_limit ApplyUpload/s, $api_latency per call)"
	printf '  %-36s %s\n' \
		"sessions" "$sessions" \
		"apply time" "${apply_seconds} s (at exactly $api_rate_limit/s: ${ideal_seconds} s)" \
		"sessions per second" "$sessions_per_second (API limit: $api_rate_limit/s)" \
		"ApplyUpload requests during apply" "$apply_calls (retries included)" \
		"RequestLimitExceeded answers" "$apply_limited (retried by the provider, never shown to the user)"
	echo
	echo "(b) terraform providers schema -json, $startup_runs runs, seconds"
	printf '  %-36s %8s %8s %8s %8s\n' "" median mean min max \
		"no provider" "$empty_median" "$empty_mean" "$empty_min" "$empty_max" \
		"tencentvod" "$provider_median" "$provider_mean" "$provider_min" "$provider_max"
	printf '  %-36s %s\n' "provider start-up + schema (median)" "${startup_cost_ms} ms"
	echo
	echo "(c) binary size"
	printf '  %-36s %s\n' \
		"go build" "$dev_size MiB" \
		"release (-trimpath -s -w, no cgo)" "$release_size MiB"
}

report >"$work/report.txt"
echo
cat "$work/report.txt"
if [[ -n "${BENCH_OUT:-}" ]]; then
	cp "$work/report.txt" "$BENCH_OUT"
	echo "bench: report written to $BENCH_OUT" >&2
fi
