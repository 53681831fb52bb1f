#!/usr/bin/env bash
# make bench: the provider's performance targets, measured against the local emulator.
#
#  (a) sessions per second against an emulator limited to 100 ApplyUpload calls per second with 20 ms
#      latency per call, as one account shared by concurrent `terraform apply` runs of saved plans:
#      BENCH_SESSION_SCENARIOS (APPLIESxSESSIONS each; default 1 apply x 300, 3 x 100 and 10 x 30),
#      BENCH_SESSION_RUNS times each (default 10). Each run's aggregate is all its sessions divided by
#      the time from the start of its applies to the end of the slowest, after the emulator's bucket
#      has refilled; every run's figure is printed, with the min and the median;
#  (b) start-up: `terraform providers schema -json` with this provider vs. with no provider;
#  (c) binary size, as built by default and as released (-trimpath -ldflags "-s -w");
#  (d) uploads: a BENCH_UPLOAD_MIB file (default 1024) uploaded by tencentvod_media (multipart) next to
#      a raw single PUT of the same file with curl and an upload session's presigned URL, to the same
#      emulator, alternating, BENCH_UPLOAD_RUNS times each (default 3); the provider's peak memory for
#      that file and for a BENCH_UPLOAD_SMALL_MIB one (default 256); other part size x concurrency
#      settings (BENCH_UPLOAD_SETTINGS, default "8x1 16x4 32x8"). BENCH_UPLOAD_MIB=0 skips (d).
#  (e) a BENCH_OUTAGE_MIB upload (default 2048) through a BENCH_OUTAGE_SECONDS object-store outage
#      (default 30), run last by scripts/bench_outage.sh (see there); BENCH_OUTAGE_MIB=0 skips (e).
#  (f) an HLS package of BENCH_PACKAGE_SEGMENTS 64 KiB segments (default 2000) by tencentvod_media vs. sent
#      one after another, by scripts/bench_package.sh (see there); BENCH_PACKAGE_SEGMENTS=0 skips (f).
#  (g) a BENCH_RESUME_MIB upload (default 1024) interrupted at half and resumed by the next apply, by
#      scripts/bench_resume.sh (see there); BENCH_RESUME_MIB=0 skips (g).
# Prints a table (also written to BENCH_OUT when set). Needs Go, Terraform >= 1.11 and curl;
# the arithmetic is awk, the clock `date +%s.%N`; (d) reads /proc, so it needs Linux.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=bench
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
session_scenarios=${BENCH_SESSION_SCENARIOS-1x300 3x100 10x30}
session_runs=${BENCH_SESSION_RUNS:-10}
startup_runs=${BENCH_STARTUP_RUNS:-7}
upload_mib=${BENCH_UPLOAD_MIB:-1024}
upload_small_mib=${BENCH_UPLOAD_SMALL_MIB:-256}
upload_runs=${BENCH_UPLOAD_RUNS:-3}
upload_settings=${BENCH_UPLOAD_SETTINGS-8x1 16x4 32x8}
api_rate_limit=100
api_latency=20ms

require_tools go terraform curl
for number in "$upload_mib" "$upload_small_mib" "$upload_runs"; do
	[[ $number =~ ^[0-9]+$ ]] || die "BENCH_UPLOAD_MIB, BENCH_UPLOAD_SMALL_MIB and BENCH_UPLOAD_RUNS must be whole numbers"
done
[[ $session_runs =~ ^[1-9][0-9]*$ ]] || die "BENCH_SESSION_RUNS must be a positive whole number"
for scenario in $session_scenarios; do
	[[ $scenario =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || die "BENCH_SESSION_SCENARIOS: $scenario is not APPLIESxSESSIONS, e.g. 3x100"
done
for setting in $upload_settings; do
	[[ $setting =~ ^[1-9][0-9]*x[1-9][0-9]*$ ]] || die "BENCH_UPLOAD_SETTINGS: $setting is not PARTxCONCURRENCY, e.g. 16x4"
done
((upload_mib == 0 || (upload_small_mib > 0 && upload_runs > 0))) || die "BENCH_UPLOAD_SMALL_MIB and BENCH_UPLOAD_RUNS must be positive"
make_work_dir BENCH_KEEP

# stats FILE: "median mean min max" of the numbers in FILE, one per line.
stats() {
	sort -g "$1" | awk '
		{ v[NR] = $1; sum += $1 }
		END {
			median = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f %.3f", median, sum / NR, v[1], v[NR]
		}'
}

step "building the provider and the emulator"
build_binaries
mkdir -p "$work/release" "$work/sessions" "$work/schema" "$work/empty"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/release/terraform-provider-tencentvod" .)

step "starting the emulator (-rate-limit $api_rate_limit -latency $api_latency)"
start_emulator -rate-limit "$api_rate_limit" -latency "$api_latency"
use_emulator

# (a) Each apply's sessions are all opened because the provisioner reads all of them, and it fails
# unless every one returned a request id. `enabled = terraform.applying` keeps the plan from opening
# any, so a run's only ApplyUpload calls are its applies'.
write_sessions_config() {
	local dir=$1 count=$2
	mkdir -p "$dir"
	write_provider_block "$dir"
	cat >"$dir/main.tf" <<EOF
ephemeral "tencentvod_upload_session" "s" {
  count      = $count
  media_type = "mp4"
  enabled    = terraform.applying
}

resource "terraform_data" "consume" {
  provisioner "local-exec" {
    command = "test \"\$OPENED\" = \"$count\""
    environment = {
      OPENED = length([for s in ephemeral.tencentvod_upload_session.s : s.request_id if s.request_id != null])
    }
  }
}
EOF
}

# calls_since LINE START: "CALLS THROTTLED FIRST" for the ApplyUpload calls the emulator logged after
# line LINE of its log: how many, how many it refused, and how many seconds after START (date +%s.%N)
# the first one came. The log's times are UTC with milliseconds:
#   time=2026-11-29T11:19:05.880Z level=INFO msg="api call" service=vod action=ApplyUpload ... code=OK
calls_since() {
	tail -n "+$(($1 + 1))" "$work/emulator.log" | awk -v start="$2" '
		/msg="api call"/ && / action=ApplyUpload / {
			n++
			if (/ code=RequestLimitExceeded/) limited++
			if (n == 1) {
				split(substr($1, 17, 12), hms, ":")
				first = hms[1] * 3600 + hms[2] * 60 + hms[3] - start % 86400
				if (first < -43200) first += 86400
			}
		}
		END { printf "%d %d %.2f\n", n, limited, first }'
}

# session_run LABEL APPLIES COUNT RUN: one run of APPLIES concurrent applies of saved plans with COUNT
# sessions each. The plans are made first (not timed), then the emulator's bucket is left to refill
# (it holds one second's worth), then all applies start at once. Appends to $work/sessions/LABEL.runs
# "SECONDS SESSIONS_PER_SECOND SHARE_OF_LIMIT FAILED_APPLIES APPLYUPLOAD_CALLS THROTTLED FIRST_CALL_S".
session_run() {
	local label=$1 applies=$2 count=$3 run=$4 i dir start end failed=0 log_lines calls limited first seconds rate share
	local -a pids=()
	for ((i = 1; i <= applies; i++)); do
		dir="$work/sessions/$label/$i"
		rm -f "$dir/terraform.tfstate" "$dir/terraform.tfstate.backup" "$dir/tfplan"
		terraform -chdir="$dir" plan -input=false -no-color -out=tfplan >"$dir/plan.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { tail -n 40 "$work/sessions/$label/$((i + 1))/plan.log" >&2; die "terraform plan failed ($label, run $run)"; }
	done
	sleep 1.5
	log_lines=$(wc -l <"$work/emulator.log")
	pids=()
	start=$(now)
	for ((i = 1; i <= applies; i++)); do
		dir="$work/sessions/$label/$i"
		terraform -chdir="$dir" apply -input=false -no-color tfplan >"$dir/apply-$run.log" 2>&1 &
		pids+=($!)
	done
	for i in "${!pids[@]}"; do
		if ! wait "${pids[$i]}"; then
			failed=$((failed + 1))
			echo "$name: $label run $run: apply $((i + 1)) failed:" >&2
			tail -n 20 "$work/sessions/$label/$((i + 1))/apply-$run.log" >&2
		fi
	done
	end=$(now)
	read -r calls limited first <<<"$(calls_since "$log_lines" "$start")"
	seconds=$(elapsed "$start" "$end")
	rate=$(awk -v n="$((applies * count))" -v s="$seconds" 'BEGIN { printf "%.1f", n / s }')
	share=$(awk -v r="$rate" -v l="$api_rate_limit" 'BEGIN { printf "%.3f", r / l }')
	echo "$seconds $rate $share $failed $calls $limited $first" >>"$work/sessions/$label.runs"
	printf '%s: %s run %2d: %s s, %s sessions/s (%s of the limit), %d failed applies, %d ApplyUpload calls, %d throttled, first call after %s s\n' \
		"$name" "$label" "$run" "$seconds" "$rate" "$share" "$failed" "$calls" "$limited" "$first" >&2
}

# session_scenario LABEL APPLIES COUNT: session_run, session_runs times.
session_scenario() {
	local label=$1 applies=$2 count=$3 i run
	for ((i = 1; i <= applies; i++)); do
		write_sessions_config "$work/sessions/$label/$i" "$count"
	done
	: >"$work/sessions/$label.runs"
	step "(a) $applies concurrent apply runs x $count sessions, $session_runs runs"
	for ((run = 1; run <= session_runs; run++)); do
		session_run "$label" "$applies" "$count" "$run"
	done
}

for scenario in $session_scenarios; do
	session_scenario "$scenario" "${scenario%x*}" "${scenario#*x}"
done

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

# (d) Uploads. A fresh emulator without the rate limit and latency of (a) keeps the objects in
# $work/objects. Every run creates the media and destroys it again, so at most one copy of the file
# is stored at a time; the curl runs commit their upload (vod_session_key_wo) for the same reason.
# watch_provider OUT STOP: every 100 ms until the file STOP exists, writes to OUT "PEAK_KIB TICKS": the
# highest VmHWM (peak resident set) of any process of this run's provider build, and the CPU time
# (user + system, clock ticks) those processes had used when last seen. It also stops when the
# script is gone.
watch_provider() {
	local out=$1 stop=$2 peak=0 stopping total pid key value _
	local -A ticks=()
	local -a stat
	while kill -0 "$$" 2>/dev/null; do
		[[ -e $stop ]] && stopping=1 || stopping=0
		for pid in $(pgrep -f "^$work/plugins/terraform-provider-tencentvod" || true); do
			while read -r key value _; do
				if [[ $key == VmHWM: ]] && ((value > peak)); then
					peak=$value
				fi
			done 2>/dev/null <"/proc/$pid/status" || true
			if read -r -a stat 2>/dev/null <"/proc/$pid/stat"; then
				ticks[$pid]=$((stat[13] + stat[14]))
			fi
		done
		total=0
		for pid in "${!ticks[@]}"; do
			total=$((total + ticks[$pid]))
		done
		echo "$peak $total" >"$out"
		((stopping)) && return 0
		sleep 0.1
	done
}

# cpu_ticks PID: user + system CPU time of PID so far, in clock ticks.
cpu_ticks() {
	local -a stat
	read -r -a stat <"/proc/$1/stat"
	echo $((stat[13] + stat[14]))
}

ticks_to_seconds() { awk -v t="$1" -v hz="$clock_ticks" 'BEGIN { printf "%.2f", t / hz }'; }

# timed_apply NAME DIR VAR...: `terraform apply` in DIR with the provider's INFO log in
# $work/upload/NAME.log, the provider processes watched, then `terraform destroy`. Sets apply_seconds,
# peak_kib, provider_cpu (seconds, all provider processes of the apply) and emulator_cpu (seconds).
timed_apply() {
	local name=$1 dir=$2 watcher start end emulator_before provider_ticks
	shift 2
	watch_provider "$work/upload/$name.watch" "$work/upload/$name.stop" &
	watcher=$!
	emulator_before=$(cpu_ticks "$emulator_pid")
	start=$(now)
	TF_LOG_PROVIDER=INFO TF_LOG_PATH="$work/upload/$name.log" terraform -chdir="$dir" apply -auto-approve \
		-input=false -no-color "$@" >"$work/upload/$name.apply.log" 2>&1 ||
		{ kill "$watcher"; tail -n 40 "$work/upload/$name.apply.log" >&2; die "terraform apply in $dir failed"; }
	end=$(now)
	emulator_cpu=$(ticks_to_seconds "$(($(cpu_ticks "$emulator_pid") - emulator_before))")
	touch "$work/upload/$name.stop"
	wait "$watcher" || true
	apply_seconds=$(elapsed "$start" "$end")
	read -r peak_kib provider_ticks <"$work/upload/$name.watch"
	provider_cpu=$(ticks_to_seconds "$provider_ticks")
	terraform -chdir="$dir" destroy -auto-approve -input=false -no-color "$@" >"$work/upload/$name.destroy.log" 2>&1 ||
		{ tail -n 40 "$work/upload/$name.destroy.log" >&2; die "terraform destroy in $dir failed"; }
}

# record LABEL UPLOAD_S CLIENT_CPU_S: one run's figures, appended to $work/upload/LABEL.*, with
# those timed_apply set.
record() {
	echo "$2" >>"$work/upload/$1.seconds"
	echo "$3" >>"$work/upload/$1.client-cpu"
	echo "$apply_seconds" >>"$work/upload/$1.apply"
	echo "$peak_kib" >>"$work/upload/$1.peak-kib"
	echo "$emulator_cpu" >>"$work/upload/$1.emulator-cpu"
}

# upload_with_curl NAME FILE: one raw PUT of FILE, timed inside the provisioner around curl alone.
upload_with_curl() {
	local name=$1 file=$2 size timing="$work/upload/$1.timing"
	mkdir -p "$timing"
	timed_apply "$name" "$work/upload-curl" -var "file=$file" -var "timing_dir=$timing"
	size=$(<"$timing/bytes")
	[[ $size -eq $(wc -c <"$file") ]] || die "curl sent $size bytes of $file"
	record curl "$(elapsed "$(<"$timing/start")" "$(<"$timing/end")")" "$(ticks_to_seconds "$(<"$timing/cpu-ticks")")"
}

# upload_with_provider LABEL NAME FILE [PART_MIB CONCURRENCY]: one upload by tencentvod_media;
# the upload time is the one the provider logs ("uploaded file to VOD storage", seconds=...).
upload_with_provider() {
	local label=$1 name=$2 file=$3 seconds="" bytes=0 parts=0
	local -a vars=(-var "file=$file")
	if [[ $# -gt 3 ]]; then
		vars+=(-var "part_size_mib=$4" -var "concurrency=$5")
	fi
	timed_apply "$name" "$work/upload-provider" "${vars[@]}"
	read -r seconds bytes parts < <(awk '
		/uploaded file to VOD storage/ {
			for (i = 1; i <= NF; i++) {
				n = index($i, "=")
				if (n) { k = substr($i, 1, n - 1); v = substr($i, n + 1); gsub(/"/, "", v); f[k] = v }
			}
			found = 1
		}
		END { if (found) printf "%.3f %.0f %d\n", f["seconds"], f["bytes"], f["parts"] }' "$work/upload/$name.log") || true
	[[ -n "${seconds:-}" ]] || die "the provider did not log the upload of $file (see $work/upload/$name.log)"
	[[ $bytes -eq $(wc -c <"$file") ]] || die "the provider uploaded $bytes bytes of $file"
	echo "$parts" >"$work/upload/$label.parts"
	record "$label" "$seconds" "$provider_cpu"
}

if ((upload_mib > 0)); then
	mkdir -p "$work/upload" "$work/upload-curl" "$work/upload-provider" "$work/objects"
	# The file, the small file and one stored copy of the file (unless on tmpfs), plus some room.
	upload_need_mib=$((2 * upload_mib + upload_small_mib + 512))
	upload_free_mib=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
	((upload_free_mib >= upload_need_mib)) ||
		die "(d) needs $upload_need_mib MiB free in $work, only $upload_free_mib MiB are; set BENCH_UPLOAD_MIB lower (or 0 to skip)"

	clock_ticks=$(getconf CLK_TCK)
	# The emulator keeps the objects in memory (tmpfs) when there is room: the page-cache writeback of
	# GiBs written to this machine's disk made the runs vary by 2x, and the disk is not what is compared.
	shm_free_mib=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }') || shm_free_mib=0
	step "(d) restarting the emulator for uploads (no rate limit, no latency)"
	stop_emulator
	if [[ -w /dev/shm ]] && ((${shm_free_mib:-0} >= upload_mib + 1024)); then
		upload_store="tmpfs (/dev/shm)"
		TMPDIR=/dev/shm start_emulator -rate-limit 0 # its temporary data directory, removed when it stops
	else
		upload_store="disk ($work/objects)"
		start_emulator -rate-limit 0 -data-dir "$work/objects"
	fi
	use_emulator
	upload_load_before=$(cut -d' ' -f1-3 /proc/loadavg)

	write_provider_block "$work/upload-provider"
	cat >"$work/upload-provider/main.tf" <<'EOF'
variable "file" {
  type = string
}

variable "part_size_mib" {
  type    = number
  default = null
}

variable "concurrency" {
  type    = number
  default = null
}

resource "tencentvod_media" "m" {
  source               = var.file
  media_type           = "mp4"
  upload_part_size_mib = var.part_size_mib
  upload_concurrency   = var.concurrency
}
EOF
	write_provider_block "$work/upload-curl"
	cat >"$work/upload-curl/main.tf" <<'EOF'
variable "file" {
  type = string
}

variable "timing_dir" {
  type = string
}

ephemeral "tencentvod_upload_session" "s" {
  media_type = "mp4"
}

# Only curl is timed. It reads the URL from stdin, so the URL is on no command line.
resource "terraform_data" "put" {
  provisioner "local-exec" {
    command = <<-EOT
      set -e
      date +%s.%N >"$TIMING_DIR/start"
      printf 'url = "%s"\n' "$UPLOAD_URL" |
        curl --fail --silent --show-error --upload-file "$UPLOAD_FILE" --config - \
          --output /dev/null --write-out '%%{size_upload}' >"$TIMING_DIR/bytes"
      date +%s.%N >"$TIMING_DIR/end"
      # CPU time of this shell's finished children (curl, and two date), in clock ticks.
      read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ children_user children_system _ </proc/$$/stat
      echo $((children_user + children_system)) >"$TIMING_DIR/cpu-ticks"
    EOT
    environment = {
      UPLOAD_FILE = var.file
      UPLOAD_URL  = ephemeral.tencentvod_upload_session.s.media_upload_url
      TIMING_DIR  = var.timing_dir
    }
  }
}

# Committed so that `terraform destroy` deletes the object again.
resource "tencentvod_media" "m" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.s.vod_session_key
  depends_on         = [terraform_data.put]
}
EOF

	step "(d) writing a $upload_mib MiB and a $upload_small_mib MiB file"
	make_upload_file "$work/upload.mp4" "$upload_mib"
	make_upload_file "$work/upload-small.mp4" "$upload_small_mib"

	step "(d) $upload_mib MiB: curl PUT and tencentvod_media (defaults), alternating, $upload_runs runs each"
	for ((run = 1; run <= upload_runs; run++)); do
		upload_with_curl "curl-$run" "$work/upload.mp4"
		upload_with_provider default "default-$run" "$work/upload.mp4"
	done

	step "(d) $upload_small_mib MiB: tencentvod_media (defaults), $upload_runs runs"
	for ((run = 1; run <= upload_runs; run++)); do
		upload_with_provider small "small-$run" "$work/upload-small.mp4"
	done

	if [[ -n "${upload_settings// /}" ]]; then
		step "(d) $upload_mib MiB with part size x concurrency $upload_settings, $upload_runs runs each"
		for ((run = 1; run <= upload_runs; run++)); do
			for setting in $upload_settings; do
				upload_with_provider "setting-$setting" "setting-$setting-$run" "$work/upload.mp4" "${setting%x*}" "${setting#*x}"
			done
		done
	fi
	upload_load_after=$(cut -d' ' -f1-3 /proc/loadavg)
fi

# median LABEL KIND: the median of one figure of LABEL's runs.
median() { stats "$work/upload/$1.$2" | cut -d' ' -f1; }

# upload_row LABEL TITLE MIB IN_FLIGHT: median upload time, throughput, ratio to curl's, apply time,
# client and emulator CPU time, the highest peak memory of the runs, and part size x concurrency.
upload_row() {
	local label=$1 title=$2 mib=$3 in_flight=$4 seconds rate ratio peak
	seconds=$(median "$label" seconds)
	rate=$(awk -v m="$mib" -v s="$seconds" 'BEGIN { printf "%.0f", m / s }')
	ratio=$(awk -v m="$mib" -v s="$seconds" -v u="$upload_mib" -v c="$curl_seconds" 'BEGIN { printf "%.2f", (m / s) / (u / c) }')
	peak=$(stats "$work/upload/$label.peak-kib" | awk '{ printf "%.1f MiB", $4 / 1024 }')
	printf '  %-27s %8s %6s %7s %7s %6s %8s %10s %9s\n' "$title" "$seconds" "$rate" "$ratio" "$(median "$label" apply)" \
		"$(median "$label" client-cpu)" "$(median "$label" emulator-cpu)" "$peak" "$in_flight"
}

upload_report() {
	local setting part concurrency
	curl_seconds=$(median curl seconds)
	echo "(d) uploads to the emulator, objects on $upload_store, median of $upload_runs runs"
	echo "    upload s: curl alone, or the upload time the provider logs; apply s: the whole terraform apply;"
	echo "    CPU s: curl's, or the provider's over the whole apply; emu CPU: the emulator's over the apply;"
	echo "    peak RSS: the provider's VmHWM, highest of the runs; in flight: part size x concurrency"
	printf '  %-27s %8s %6s %7s %7s %6s %8s %10s %9s\n' "" "upload s" "MiB/s" "vs curl" "apply s" "CPU s" "emu CPU" "peak RSS" "in flight"
	upload_row curl "curl, one PUT, $upload_mib MiB" "$upload_mib" "-"
	upload_row default "provider, $upload_mib MiB, 8x4" "$upload_mib" "32 MiB"
	upload_row small "provider, $upload_small_mib MiB, 8x4" "$upload_small_mib" "32 MiB"
	for setting in $upload_settings; do
		part=${setting%x*} concurrency=${setting#*x}
		upload_row "setting-$setting" "provider, $upload_mib MiB, ${part}x$concurrency" "$upload_mib" "$((part * concurrency)) MiB"
	done
	echo "  8x4: 8 MiB parts, 4 at a time (the defaults; $(<"$work/upload/default.parts") parts for $upload_mib MiB). The curl row's peak RSS"
	echo "  is the provider's while it only opens the session and commits. Load average before (d): $upload_load_before,"
	echo "  after: $upload_load_after ($(nproc) CPUs; the emulator, Terraform and the uploader share them)."
}

# sessions_report LABEL TITLE: every run's share of the limit, their min and median, and the totals.
sessions_report() {
	local label=$1 title=$2 file="$work/sessions/$1.runs" shares share_median share_min
	shares=$(awk '{ printf "%s%.2f", (NR > 1 ? " " : ""), $3 }' "$file")
	awk '{ print $3 }' "$file" >"$work/sessions/$label.shares"
	read -r share_median _ share_min _ <<<"$(stats "$work/sessions/$label.shares")"
	awk -v title="$title" -v shares="$shares" -v min="$share_min" -v median="$share_median" '
		{ seconds += $1; failed += $4; calls += $5; limited += $6; first += $7; if ($7 > latest) latest = $7 }
		END {
			printf "  %-17s share of the limit: min %.2f, median %.2f; runs: %s\n", title, min, median, shares
			printf "  %-17s %.2f s per run on average; %d failed applies; %d ApplyUpload calls, %d throttled\n", "", seconds / NR, failed, calls, limited
			printf "  %-17s first ApplyUpload %.2f s after the applies started on average, %.2f s at the latest\n", "", first / NR, latest
		}' "$file"
}

report() {
	echo "terraform-provider-tencentvod benchmark ($(terraform version | head -n 1), $(go env GOVERSION), $(uname -sm))"
	echo
	echo "(a) upload sessions opened by concurrent applies of saved plans (emulator: $api_rate_limit ApplyUpload/s,"
	echo "    $api_latency per call, its bucket refilled before each run); aggregate = all sessions / (start of"
	echo "    the applies to the end of the slowest), as a share of the limit; $session_runs runs each"
	for scenario in $session_scenarios; do
		sessions_report "$scenario" "${scenario%x*} x ${scenario#*x} sessions"
	done
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
	if ((upload_mib > 0)); then
		echo
		upload_report
	fi
}

report >"$work/report.txt"
echo
cat "$work/report.txt"
if [[ -n "${BENCH_OUT:-}" ]]; then
	cp "$work/report.txt" "$BENCH_OUT"
	echo "bench: report written to $BENCH_OUT" >&2
fi
bash "$repo/scripts/bench_package.sh" # (f) a package of 2,000 small segments, concurrent vs one after another; appends to BENCH_OUT
bash "$repo/scripts/bench_outage.sh" # (e) a 2 GiB upload through a 30 s object-store outage; appends to BENCH_OUT
bash "$repo/scripts/bench_resume.sh" # (g) a 1 GiB upload interrupted at half, then resumed; appends to BENCH_OUT
