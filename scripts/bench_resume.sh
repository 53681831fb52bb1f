#!/usr/bin/env bash
# Part of make bench (scripts/bench.sh runs it; it also runs alone): (g) an interrupted upload that
# resumes.
#
# tencentvod_media uploads a BENCH_RESUME_MIB file (default 1024) with the default part size and
# concurrency, through Terraform, to a local emulator, three ways: whole in one apply (for comparison);
# then in an apply interrupted (SIGINT, as Ctrl-C) once half of its parts are stored; then in the next
# apply, which resumes the upload from its checkpoint. The emulator's inspection endpoints count the part
# bodies the store received, so the bytes each apply sent are measured on the store's side, and show that
# the resumed media is committed with the file's bytes and nothing is left pending.
# BENCH_RESUME_MIB=0 skips this part. Prints a table (appended to BENCH_OUT when set).
# Needs Go, Terraform >= 1.11, curl, md5sum and Linux.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=bench-resume
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
resume_mib=${BENCH_RESUME_MIB:-1024}
part_mib=8 # the provider's default part size; the default concurrency is 4

[[ $resume_mib =~ ^[0-9]+$ ]] || die "BENCH_RESUME_MIB must be a whole number"
((resume_mib > 0)) || exit 0
((resume_mib >= 4 * part_mib && resume_mib % part_mib == 0)) || die "BENCH_RESUME_MIB must be a multiple of $part_mib, at least $((4 * part_mib))"
require_tools go terraform curl md5sum
make_work_dir BENCH_KEEP

# The emulator indents its JSON, one field per line, so awk reads it.
json_numbers() { awk -v f="\"$1\":" '$1 == f { gsub(/[^0-9]/, "", $2); print $2 }'; }
json_strings() { awk -v f="\"$1\":" '$1 == f { v = $2; gsub(/^"|"?,?$/, "", v); print v }'; }
inspect() { curl --fail --silent --show-error "$emulator_url/_emulator/$1"; }

# inspect_field ENDPOINT ID_FIELD ID FIELD: FIELD of the entry of /_emulator/ENDPOINT whose ID_FIELD is ID.
inspect_field() {
	inspect "$1" | awk -v id_field="\"$2\":" -v want="$3" -v field="\"$4\":" '
		function value(v) { gsub(/^"|"?,?$/, "", v); return v }
		$1 == id_field { current = value($2) }
		$1 == field && current == want { print value($2) }'
}

# parts_stored: every part body the store has accepted so far; pending_parts: the pending upload's parts.
parts_stored() { inspect uploads | json_numbers parts_stored; }
pending_parts() {
	local n
	n=$(inspect uploads | json_numbers parts | head -n 1)
	echo "${n:-0}"
}

step "building the provider and the emulator"
build_binaries
need_mib=$((2 * resume_mib + 512))
free_mib=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
((free_mib >= need_mib)) || die "needs $need_mib MiB free in $work, only $free_mib MiB are; set BENCH_RESUME_MIB lower (or 0 to skip)"
# Objects in memory (tmpfs) when there is room: the disk is not what is measured. The store keeps the
# media of both runs.
shm_free_mib=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }') || shm_free_mib=0
if [[ -w /dev/shm ]] && ((${shm_free_mib:-0} >= 2 * resume_mib + 1024)); then
	store="tmpfs (/dev/shm)"
	TMPDIR=/dev/shm start_emulator -rate-limit 0
else
	store="disk ($work/objects)"
	mkdir -p "$work/objects"
	start_emulator -rate-limit 0 -data-dir "$work/objects"
fi
use_emulator
export TENCENTVOD_UPLOAD_CACHE_DIR="$work/upload-cache"

step "writing a $resume_mib MiB file"
file="$work/upload.mp4"
make_upload_file "$file" "$resume_mib"
file_md5=$(md5sum "$file" | cut -d' ' -f1)
parts=$((resume_mib / part_mib))

# write_config DIR NAME: one tencentvod_media named NAME, in its own directory.
write_config() {
	mkdir -p "$1"
	write_provider_block "$1"
	cat >"$1/main.tf" <<EOF
resource "tencentvod_media" "m" {
  source     = "$file"
  media_type = "mp4"
  media_name = "$2"
}
EOF
}

# apply_in DIR LOG: terraform apply in DIR, in the background, logging the provider at DEBUG to LOG;
# sets apply_pid.
apply_in() {
	TF_LOG_PROVIDER=DEBUG TF_LOG_PATH="$2" terraform -chdir="$1" apply -auto-approve -input=false -no-color \
		>"$2.out" 2>&1 &
	apply_pid=$!
}

# logged FIELD LOG: the value of FIELD in the provider's "uploaded file to VOD storage" line of LOG.
logged() {
	awk -v f="$1=" '/uploaded file to VOD storage/ { for (i = 1; i <= NF; i++) if (index($i, f) == 1) { v = substr($i, length(f) + 1); gsub(/"/, "", v); s = v } }
		END { print s }' "$2"
}

# check_committed NAME: the media NAME holds the file's bytes (read back through its URL) and nothing is pending.
check_committed() {
	local url
	url=$(inspect_field media name "$1" media_url)
	[[ -n $url ]] || die "no media named $1 was committed"
	[[ $(curl --fail --silent --show-error "$url" | md5sum | cut -d' ' -f1) == "$file_md5" ]] ||
		die "the media $1 does not serve the file's bytes (MD5 $file_md5)"
	[[ -z $(inspect uploads | json_strings upload_id) ]] || die "multipart uploads are pending after $1"
}

mib_of_parts() { echo $(($1 * part_mib)); }

step "full upload of $resume_mib MiB"
write_config "$work/full" full
start=$(now)
apply_in "$work/full" "$work/full.log"
wait "$apply_pid" || { tail -n 40 "$work/full.log.out" >&2; die "terraform apply (full) failed"; }
full_s=$(elapsed "$start" "$(now)" 1)
check_committed full
full_parts=$(parts_stored)
full_upload_s=$(logged seconds "$work/full.log")

step "upload of $resume_mib MiB interrupted (SIGINT) once $((parts / 2)) of $parts parts are stored"
write_config "$work/resumed" resumed
before=$(parts_stored)
start=$(now)
apply_in "$work/resumed" "$work/interrupted.log"
while kill -0 "$apply_pid" 2>/dev/null && (($(pending_parts) < parts / 2)); do
	sleep 0.1
done
kill -0 "$apply_pid" 2>/dev/null || die "the upload ended before half of it was stored"
kill -INT "$apply_pid"
if wait "$apply_pid"; then
	die "the interrupted apply succeeded"
fi
interrupted_s=$(elapsed "$start" "$(now)" 1)
interrupted_parts=$(($(parts_stored) - before))
kept_parts=$(pending_parts)
grep -q "already stored are kept" "$work/interrupted.log.out" || { tail -n 40 "$work/interrupted.log.out" >&2; die "the interrupted apply kept no parts"; }
checkpoints=$(find "$TENCENTVOD_UPLOAD_CACHE_DIR" -name '*.json' | wc -l)
((checkpoints == 1)) || die "$checkpoints checkpoints after the interrupt, want 1"

step "the next apply resumes it"
before=$(parts_stored)
start=$(now)
apply_in "$work/resumed" "$work/resume.log"
wait "$apply_pid" || { tail -n 40 "$work/resume.log.out" >&2; die "terraform apply (resume) failed"; }
resume_s=$(elapsed "$start" "$(now)" 1)
resume_parts=$(($(parts_stored) - before))
resume_upload_s=$(logged seconds "$work/resume.log")
resumed_parts=$(logged parts_resumed "$work/resume.log")
check_committed resumed
((resumed_parts == kept_parts && resume_parts == parts - kept_parts)) ||
	die "the resumed apply sent $resume_parts parts and resumed $resumed_parts; $kept_parts were kept of $parts"
[[ -z $(find "$TENCENTVOD_UPLOAD_CACHE_DIR" -name '*.json') ]] || die "a checkpoint is left after the resumed upload"
sessions=$(inspect sessions | json_strings request_id | wc -l)

report() {
	echo "(g) $resume_mib MiB upload by tencentvod_media interrupted (SIGINT) at half, then resumed by the next apply"
	echo "    emulator objects on $store; $parts parts of $part_mib MiB, 4 at a time (the defaults); MiB sent = part bodies the store received"
	printf '  %-40s %10s %10s %12s\n' "" "apply s" "upload s" "MiB sent"
	printf '  %-40s %10s %10s %12s\n' \
		"full upload (one apply)" "$full_s" "$full_upload_s" "$(mib_of_parts "$full_parts")" \
		"interrupted apply (until it exited)" "$interrupted_s" "-" "$(mib_of_parts "$interrupted_parts")" \
		"resuming apply" "$resume_s" "$resume_upload_s" "$(mib_of_parts "$resume_parts")" \
		"interrupted + resuming" "$(awk -v a="$interrupted_s" -v b="$resume_s" 'BEGIN { printf "%.1f", a + b }')" "-" \
		"$(mib_of_parts $((interrupted_parts + resume_parts)))"
	printf '  %-40s %s\n' \
		"resuming apply vs full upload" "$(awk -v a="$resume_s" -v b="$full_s" 'BEGIN { printf "%.0f%% of the time", 100 * a / b }'), $(awk -v a="$resume_parts" -v b="$full_parts" 'BEGIN { printf "%.0f%% of the bytes", 100 * a / b }')" \
		"parts kept by the interrupt" "$kept_parts of $parts, none of them sent again" \
		"result" "resumed with the first session ($sessions sessions for both media), media MD5 = file MD5, nothing pending, checkpoint deleted"
}

report >"$work/report.txt"
echo
cat "$work/report.txt"
if [[ -n "${BENCH_OUT:-}" ]]; then
	{
		echo
		cat "$work/report.txt"
	} >>"$BENCH_OUT"
fi
