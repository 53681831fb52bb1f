#!/usr/bin/env bash
# Part of make bench (scripts/bench.sh runs it; it also runs alone): (f) an HLS package of many small
# segments.
#
# A master playlist with four variant playlists and BENCH_PACKAGE_SEGMENTS segments (default 2000) of
# BENCH_PACKAGE_SEGMENT_KIB KiB each (default 64), uploaded to a local emulator whose object store
# answers each request after BENCH_PACKAGE_LATENCY (default 10ms, a round trip to a nearby region):
#   - by tencentvod_media with source = the master playlist, upload_concurrency = each of
#     BENCH_PACKAGE_CONCURRENCY (default "16 4"; 16 is the default for a package, 4 for a file's parts);
#   - the official SDKs' way: the same files sent one after another with cos-go-sdk-v5 by a tool run
#     from local-exec with a tencentvod_upload_session's credentials, then committed by tencentvod_media
#     with vod_session_key_wo (internal/provider/testdata/cosputpackage, the tool the tests use).
# Both are timed as the upload alone (what the provider logs at INFO; around the tool) and as the whole
# terraform apply, alternating, BENCH_PACKAGE_RUNS times each (default 3); each media is destroyed
# after its run. The emulator's inspection endpoint shows every run's package committed whole.
# BENCH_PACKAGE_SEGMENTS=0 skips this part. Prints a table (appended to BENCH_OUT when set). Needs
# Go, Terraform >= 1.11, curl and split.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=bench-package
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
segments=${BENCH_PACKAGE_SEGMENTS:-2000}
segment_kib=${BENCH_PACKAGE_SEGMENT_KIB:-64}
runs=${BENCH_PACKAGE_RUNS:-3}
latency=${BENCH_PACKAGE_LATENCY:-10ms}
concurrencies=${BENCH_PACKAGE_CONCURRENCY-16 4}
variants=4

[[ $segments =~ ^[0-9]+$ && $segment_kib =~ ^[1-9][0-9]*$ && $runs =~ ^[1-9][0-9]*$ ]] ||
	die "BENCH_PACKAGE_SEGMENTS, BENCH_PACKAGE_SEGMENT_KIB and BENCH_PACKAGE_RUNS must be whole numbers (the last two positive)"
((segments > 0)) || exit 0
((segments >= variants)) || die "BENCH_PACKAGE_SEGMENTS must be at least $variants (one per variant)"
for concurrency in $concurrencies; do
	[[ $concurrency =~ ^[1-9][0-9]*$ ]] && ((concurrency <= 64)) || die "BENCH_PACKAGE_CONCURRENCY: $concurrency is not from 1 to 64"
done
require_tools go terraform curl split
make_work_dir BENCH_KEEP

step "building the provider, the emulator and the sequential uploader"
build_binaries
(cd "$repo" && go build -o "$work/bin/cosputpackage" ./internal/provider/testdata/cosputpackage)

step "starting the emulator (-storage-latency $latency)"
start_emulator -storage-latency "$latency"
use_emulator

# write_package DIR: master.m3u8 and $variants variant playlists sharing $segments segments of
# incompressible bytes, in nested directories.
write_package() {
	local dir=$1 v count first playlist
	mkdir -p "$dir"
	printf '#EXTM3U\n#EXT-X-VERSION:3\n' >"$dir/master.m3u8"
	for ((v = 0; v < variants; v++)); do
		count=$((segments / variants + (v < segments % variants ? 1 : 0)))
		mkdir -p "$dir/v$v/segments"
		# One stream per variant, cut into segments: seg00000.ts, seg00001.ts, ...
		if command -v openssl >/dev/null 2>&1; then
			{ openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass "pass:tencentvod-bench-$v" -in /dev/zero 2>/dev/null || true; } |
				head -c $((count * segment_kib * 1024)) | split -b "${segment_kib}k" -d -a 5 --additional-suffix=.ts - "$dir/v$v/segments/seg"
		else
			head -c $((count * segment_kib * 1024)) /dev/urandom | split -b "${segment_kib}k" -d -a 5 --additional-suffix=.ts - "$dir/v$v/segments/seg"
		fi
		playlist="$dir/v$v/index.m3u8"
		{
			printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n'
			for ((first = 0; first < count; first++)); do
				printf '#EXTINF:2.000,\nsegments/seg%05d.ts\n' "$first"
			done
			printf '#EXT-X-ENDLIST\n'
		} >"$playlist"
		printf '#EXT-X-STREAM-INF:BANDWIDTH=%d\nv%d/index.m3u8\n' $((800000 * (v + 1))) "$v" >>"$dir/master.m3u8"
	done
	[[ $(find "$dir" -name '*.ts' | wc -l) -eq $segments ]] || die "wrote the wrong number of segments in $dir"
}

step "writing a package of $segments segments of $segment_kib KiB"
package="$work/package"
write_package "$package"
files=$(find "$package" -type f | wc -l)
package_bytes=$(find "$package" -type f -printf '%s\n' | awk '{ n += $1 } END { print n }')

mkdir -p "$work/results"
# provider_config DIR CONCURRENCY: the package uploaded by the provider.
provider_config() {
	mkdir -p "$1"
	write_provider_block "$1"
	cat >"$1/main.tf" <<EOF
resource "tencentvod_media" "package" {
  source             = "$package/master.m3u8"
  media_name         = "bench package"
  upload_concurrency = $2
}
EOF
}

# sequential_config DIR: the same files sent one after another by the tool, then committed.
sequential_config() {
	mkdir -p "$1"
	write_provider_block "$1"
	cat >"$1/main.tf" <<EOF
ephemeral "tencentvod_upload_session" "package" {
  media_type = "m3u8"
  media_name = "bench package"
}

resource "terraform_data" "upload" {
  provisioner "local-exec" {
    command = <<-EOT
      set -e
      date +%s.%N >"\$TIMING_DIR/start"
      "$work/bin/cosputpackage"
      date +%s.%N >"\$TIMING_DIR/end"
    EOT
    environment = {
      TIMING_DIR     = "$1"
      PACKAGE_DIR    = "$package"
      MANIFEST       = "master.m3u8"
      COS_BUCKET_URL = ephemeral.tencentvod_upload_session.package.cos_bucket_url
      COS_KEY        = ephemeral.tencentvod_upload_session.package.media_object_key
      COS_DIR        = dirname(ephemeral.tencentvod_upload_session.package.media_object_key)
      COS_SECRET_ID  = ephemeral.tencentvod_upload_session.package.temp_certificate.secret_id
      COS_SECRET_KEY = ephemeral.tencentvod_upload_session.package.temp_certificate.secret_key
      COS_TOKEN      = ephemeral.tencentvod_upload_session.package.temp_certificate.token
    }
  }
}

resource "tencentvod_media" "package" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.package.vod_session_key
  depends_on         = [terraform_data.upload]
}
EOF
}

# committed_files: how many files the emulator's only media holds (its manifest and package files).
committed_files() {
	curl --fail --silent --show-error "$emulator_url/_emulator/media" |
		awk '$1 == "\"package_files\":" { gsub(/[^0-9]/, "", $2); n = $2 } END { print n + 1 }'
}

# timed_apply LABEL DIR: applies DIR, records the apply's seconds, checks the package was committed
# whole, and destroys it again.
timed_apply() {
	local label=$1 dir=$2 started ended
	started=$(now)
	(cd "$dir" && TF_LOG=INFO TF_LOG_PATH="$dir/terraform.log" terraform apply -input=false -auto-approve >"$dir/apply.log" 2>&1) ||
		{ tail -n 30 "$dir/apply.log" >&2; die "$label: the apply failed"; }
	ended=$(now)
	elapsed "$started" "$ended" >>"$work/results/$label.apply"
	echo >>"$work/results/$label.apply"
	local committed
	committed=$(committed_files)
	[[ $committed -eq $files ]] || die "$label: the emulator's media holds $committed files, want $files"
	(cd "$dir" && terraform destroy -input=false -auto-approve >"$dir/destroy.log" 2>&1) ||
		{ tail -n 30 "$dir/destroy.log" >&2; die "$label: the destroy failed"; }
}

for ((run = 1; run <= runs; run++)); do
	step "run $run of $runs: one after another"
	dir="$work/sequential-$run"
	sequential_config "$dir"
	timed_apply sequential "$dir"
	elapsed "$(<"$dir/start")" "$(<"$dir/end")" >>"$work/results/sequential.upload"
	echo >>"$work/results/sequential.upload"
	for concurrency in $concurrencies; do
		step "run $run of $runs: tencentvod_media, upload_concurrency = $concurrency"
		dir="$work/provider-$concurrency-$run"
		provider_config "$dir" "$concurrency"
		timed_apply "provider-$concurrency" "$dir"
		# The provider logs the upload's own time: "uploaded streaming package ... seconds=N".
		grep 'uploaded streaming package to VOD storage' "$dir/terraform.log" |
			sed -E 's/.*seconds=([0-9.e+-]+).*/\1/' | tail -n 1 >>"$work/results/provider-$concurrency.upload"
	done
done

median_of() { sort -g "$work/results/$1" | awk 'NF { v[++n] = $1 } END { printf "%.2f", (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2 }'; }

report() {
	local sequential_upload sequential_apply concurrency upload apply
	sequential_upload=$(median_of sequential.upload)
	sequential_apply=$(median_of sequential.apply)
	echo
	echo "(f) an HLS package of $segments segments of $segment_kib KiB ($files files, $((package_bytes >> 20)) MiB) to the emulator,"
	echo "    object-store latency $latency per request; median of $runs runs; upload s: the files alone (the provider's"
	echo "    log, or around the tool); apply s: the whole terraform apply; x: one-after-another's time / this one's"
	printf '  %-48s %9s %7s %9s %7s\n' "" "upload s" "x" "apply s" "x"
	printf '  %-48s %9s %7s %9s %7s\n' "one after another (cos-go-sdk-v5, as the SDKs)" "$sequential_upload" "1.00" "$sequential_apply" "1.00"
	for concurrency in $concurrencies; do
		upload=$(median_of "provider-$concurrency.upload")
		apply=$(median_of "provider-$concurrency.apply")
		printf '  %-48s %9s %7s %9s %7s\n' "tencentvod_media, upload_concurrency = $concurrency" "$upload" \
			"$(awk -v a="$sequential_upload" -v b="$upload" 'BEGIN { printf "%.2f", a / b }')" "$apply" \
			"$(awk -v a="$sequential_apply" -v b="$apply" 'BEGIN { printf "%.2f", a / b }')"
	done
	echo "  Every run's media held all $files files when committed. $(nproc) CPUs, shared by Terraform, the emulator"
	echo "  and the uploader; load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
}

report >"$work/report.txt"
cat "$work/report.txt"
if [[ -n "${BENCH_OUT:-}" ]]; then
	cat "$work/report.txt" >>"$BENCH_OUT"
	echo "$name: report appended to $BENCH_OUT" >&2
fi
