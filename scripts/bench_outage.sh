#!/usr/bin/env bash
# Part of make bench (scripts/bench.sh runs it; it also runs alone): (e) a long upload through an
# object-store outage.
#
# tencentvod_media uploads a BENCH_OUTAGE_MIB file (default 2048) with the default part size and
# concurrency, through Terraform, to a local emulator. Once half of the parts are stored, the
# emulator's object store goes down for BENCH_OUTAGE_SECONDS (default 30): every request to it has
# its connection reset (POST /_emulator/outage). The apply must still end with the media committed,
# no multipart upload pending and no part stored twice, which the emulator's inspection endpoints
# (/_emulator/media, /_emulator/uploads, /_emulator/objects) show. The same upload without an outage
# runs first, for comparison. BENCH_OUTAGE_MIB=0 skips this part.
# Prints a table (appended to BENCH_OUT when set). Needs Go, Terraform >= 1.11, curl and Linux.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=bench-outage
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
outage_mib=${BENCH_OUTAGE_MIB:-2048}
outage_seconds=${BENCH_OUTAGE_SECONDS:-30}
part_mib=8 # the provider's default part size; the default concurrency is 4

[[ $outage_mib =~ ^[0-9]+$ && $outage_seconds =~ ^[0-9]+$ ]] || die "BENCH_OUTAGE_MIB and BENCH_OUTAGE_SECONDS must be whole numbers"
((outage_mib > 0)) || exit 0
((outage_mib >= 2 * part_mib && outage_seconds > 0)) || die "BENCH_OUTAGE_MIB must be at least $((2 * part_mib)) and BENCH_OUTAGE_SECONDS positive"
require_tools go terraform curl md5sum
make_work_dir BENCH_KEEP

# The emulator indents its JSON, one field per line, so awk reads it.
# json_numbers FIELD: every value of "FIELD": N in the JSON on stdin, one per line.
json_numbers() { awk -v f="\"$1\":" '$1 == f { gsub(/[^0-9]/, "", $2); print $2 }'; }
# json_strings FIELD: every value of "FIELD": "S" on stdin, one per line.
json_strings() { awk -v f="\"$1\":" '$1 == f { v = $2; gsub(/^"|"?,?$/, "", v); print v }'; }

inspect() { curl --fail --silent --show-error "$emulator_url/_emulator/$1"; }

step "building the provider and the emulator"
build_binaries

need_mib=$((2 * outage_mib + 512))
free_mib=$(df -Pm "$work" | awk 'NR == 2 { print $4 }')
((free_mib >= need_mib)) || die "needs $need_mib MiB free in $work, only $free_mib MiB are; set BENCH_OUTAGE_MIB lower (or 0 to skip)"
# Objects in memory (tmpfs) when there is room, as in (d): the disk is not what is measured.
shm_free_mib=$(df -Pm /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }') || shm_free_mib=0
if [[ -w /dev/shm ]] && ((${shm_free_mib:-0} >= outage_mib + 1024)); then
	store="tmpfs (/dev/shm)"
	TMPDIR=/dev/shm start_emulator -rate-limit 0
else
	store="disk ($work/objects)"
	mkdir -p "$work/objects"
	start_emulator -rate-limit 0 -data-dir "$work/objects"
fi
use_emulator

step "writing a $outage_mib MiB file"
file="$work/upload.mp4"
bytes=$((outage_mib << 20))
make_upload_file "$file" "$outage_mib"
file_md5=$(md5sum "$file" | cut -d' ' -f1)
parts=$(((outage_mib + part_mib - 1) / part_mib))

# write_config DIR NAME: a configuration of one tencentvod_media named NAME, in its own directory so that
# each run creates its own media.
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

# inspect_field ENDPOINT ID_FIELD ID FIELD: FIELD of the entry of /_emulator/ENDPOINT whose ID_FIELD is
# ID (ID_FIELD comes before FIELD in each entry).
inspect_field() {
	inspect "$1" | awk -v id_field="\"$2\":" -v want="$3" -v field="\"$4\":" '
		function value(v) { gsub(/^"|"?,?$/, "", v); return v }
		$1 == id_field { current = value($2) }
		$1 == field && current == want { print value($2) }'
}

# media_field NAME FIELD: FIELD (media_key, media_url, ...) of the media named NAME.
media_field() { inspect_field media name "$1" "$2"; }

# object_field KEY FIELD: FIELD (e.g. size) of the stored object KEY.
object_field() { inspect_field objects key "$1" "$2"; }

# stored_parts: how many parts the pending multipart upload has, 0 when none is pending.
stored_parts() {
	local n
	n=$(inspect uploads | json_numbers parts | head -n 1)
	echo "${n:-0}"
}

# outage_during PID START: once half of the parts are stored, takes the object store down for
# outage_seconds; then watches the upload resume. Sets outage_at_s (since START), outage_parts (stored
# when it began), during_parts (stored while it lasted: parts already in flight) and resume_s (from its
# end until the next part was stored).
outage_during() {
	local pid=$1 start=$2 stored outage_end resumed_at
	outage_parts=0
	while kill -0 "$pid" 2>/dev/null; do
		stored=$(stored_parts)
		if ((stored >= parts / 2)); then
			outage_parts=$stored
			outage_at_s=$(elapsed "$start" "$(now)" 1)
			outage_end=$(awk -v t="$(now)" -v d="$outage_seconds" 'BEGIN { printf "%.3f", t + d }')
			curl --fail --silent --show-error -X POST "$emulator_url/_emulator/outage?seconds=$outage_seconds" >/dev/null
			break
		fi
		sleep 0.2
	done
	((outage_parts > 0)) || die "the upload ended before the outage could start"
	sleep "$outage_seconds"
	stored=$(stored_parts) # the inspection endpoints answer throughout the outage
	((stored > 0)) || die "the upload ended before the outage took effect; set BENCH_OUTAGE_MIB higher"
	during_parts=$((stored - outage_parts))
	while kill -0 "$pid" 2>/dev/null; do
		stored=$(stored_parts)
		if ((stored == 0 || stored > outage_parts + during_parts)); then
			resumed_at=$(now)
			break
		fi
		sleep 0.1
	done
	resume_s=$(elapsed "$outage_end" "${resumed_at:-$(now)}" 1)
}

# upload_run NAME: applies (with outage=1, through outage_during), then checks that the media NAME is
# committed with the file's bytes and that nothing is pending; sets apply_s, upload_s, retries and
# parts_stored (all part bodies the store has received so far).
upload_run() {
	local run_name=$1 apply_pid start end key log="$work/$1.log"
	write_config "$work/$run_name" "$run_name"
	start=$(now)
	TF_LOG_PROVIDER=DEBUG TF_LOG_PATH="$log" terraform -chdir="$work/$run_name" apply -auto-approve -input=false \
		-no-color >"$work/$run_name.apply.log" 2>&1 &
	apply_pid=$!
	if ((outage)); then
		outage_during "$apply_pid" "$start"
	fi
	wait "$apply_pid" || { tail -n 40 "$work/$run_name.apply.log" >&2; die "terraform apply ($run_name) failed"; }
	end=$(now)
	apply_s=$(elapsed "$start" "$end" 1)
	upload_s=$(awk '/uploaded file to VOD storage/ { for (i = 1; i <= NF; i++) if ($i ~ /^seconds=/) { v = substr($i, 9); gsub(/"/, "", v); s = v } }
		END { printf "%.1f", s }' "$log")
	retries=$(grep -c 'object-storage request failed, retrying\|retrying object-storage request' "$log" || true)

	# The media is committed, with the file's bytes, and nothing is left pending.
	key=$(media_field "$run_name" media_key)
	[[ -n $key ]] || die "no media named $run_name was committed"
	[[ $(object_field "$key" size) == "$bytes" ]] || die "the object of media $run_name is not $bytes bytes"
	# A multipart object's MD5 is not known to the store: read the media back through its URL.
	[[ $(curl --fail --silent --show-error "$(media_field "$run_name" media_url)" | md5sum | cut -d' ' -f1) == "$file_md5" ]] ||
		die "the media $run_name does not serve the file's bytes (MD5 $file_md5)"
	inspect uploads >"$work/uploads.json"
	[[ -z $(json_strings upload_id <"$work/uploads.json") ]] || { cat "$work/uploads.json" >&2; die "multipart uploads are pending after $run_name"; }
	parts_stored=$(json_numbers parts_stored <"$work/uploads.json")
}

outage=0
step "upload of $outage_mib MiB without an outage"
upload_run baseline
baseline_apply_s=$apply_s baseline_upload_s=$upload_s baseline_retries=$retries baseline_parts_stored=$parts_stored

outage=1
step "upload of $outage_mib MiB with a $outage_seconds s object-store outage once $((parts / 2)) of $parts parts are stored"
upload_run outage
outage_parts_stored=$((parts_stored - baseline_parts_stored))
((retries > 0)) || die "the provider retried nothing: the upload never met the outage"
# The parts the store received beyond one per part are parts sent twice.
((outage_parts_stored == parts)) || die "the store received $outage_parts_stored part bodies for $parts parts"

report() {
	echo "(e) $outage_mib MiB upload by tencentvod_media through a $outage_seconds s object-store outage (connection resets)"
	echo "    emulator objects on $store; $parts parts of $part_mib MiB, 4 at a time (the defaults)"
	printf '  %-44s %10s %10s\n' "" "no outage" "outage"
	printf '  %-44s %10s %10s\n' \
		"apply s (whole terraform apply)" "$baseline_apply_s" "$apply_s" \
		"upload s (as the provider logs it)" "$baseline_upload_s" "$upload_s" \
		"object-storage requests retried" "$baseline_retries" "$retries" \
		"part bodies the store received" "$baseline_parts_stored" "$outage_parts_stored"
	printf '  %-44s %s\n' \
		"outage started" "${outage_at_s} s into the apply, with $outage_parts of $parts parts stored" \
		"parts stored during the outage" "$during_parts (requests already under way when it began)" \
		"next part stored after the outage ended" "$resume_s s later (retries wait up to 8 s between attempts)" \
		"result" "media committed, object MD5 = file MD5, no multipart upload pending, no part sent twice"
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
