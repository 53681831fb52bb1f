#!/usr/bin/env bash
# make demo: the provider end to end on this machine, with no cloud account.
#
# Builds the provider and the emulator, starts the emulator on a free loopback port, points
# Terraform at the freshly built provider (dev_overrides, so no `terraform init` and no
# registry) and applies examples/demo: it creates two classes, the provider uploads one file
# itself in parallel parts into one of them and waits for a task flow to make its adaptive
# stream, whose URL another resource receives; an upload session plus curl with its presigned
# URL uploads another file, which the provider then commits with the write-only session key; and
# the provider uploads a small HLS package (master playlist, two variants, segments) as one media.
# The script downloads the package's playlist and a segment from next to its media URL, and both media files from their media URLs and compares them with the
# originals, downloads the stream's playlist, checks that a second plan is empty, and destroys
# everything. Needs Go, Terraform >= 1.11 and curl.
# DEMO_KEEP=1 keeps the work directory for inspection. No secret is printed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=demo
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
sample_bytes=${DEMO_SAMPLE_BYTES:-3145728}
large_bytes=${DEMO_LARGE_BYTES:-20971520}

require_tools go terraform curl
make_work_dir DEMO_KEEP

# object_size OBJECTS_JSON KEY: the size the emulator lists for KEY (empty when absent).
# Splits the JSON into one record per object with awk, so no JSON tool is needed.
object_size() {
	tr -d '\n' <"$1" | awk -v key="$2" '
		BEGIN { RS = "}" }
		{
			if (index($0, "\"key\":\"" key "\"") == 0 && index($0, "\"key\": \"" key "\"") == 0) next
			if (match($0, /"size": ?[0-9]+/)) {
				s = substr($0, RSTART, RLENGTH); sub(/.*: ?/, "", s); print s; exit
			}
		}'
}

# object_md5 OBJECTS_JSON KEY: the MD5 the emulator lists for KEY (empty when absent).
object_md5() {
	tr -d '\n' <"$1" | awk -v key="$2" '
		BEGIN { RS = "}" }
		{
			if (index($0, "\"key\":\"" key "\"") == 0 && index($0, "\"key\": \"" key "\"") == 0) next
			if (match($0, /"md5": ?"[0-9a-f]+"/)) {
				s = substr($0, RSTART, RLENGTH); sub(/.*: ?"/, "", s); sub(/"$/, "", s); print s; exit
			}
		}'
}

receipt_value() { sed -n "s/^$1=//p" "$work/receipt.txt"; }

# output_value OUTPUT FIELD: one field of an object output of the demo configuration.
output_value() {
	terraform -chdir="$work/tf" output -no-color -json "$1" | tr -d '\n ' |
		sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p"
}

# check_media OUTPUT FILE: downloads the media from its media URL and compares it with FILE.
check_media() {
	local file_id url size
	file_id=$(output_value "$1" file_id)
	url=$(output_value "$1" media_url)
	size=$(output_value "$1" size)
	[[ -n "$file_id" && -n "$url" ]] || die "output $1 names no media"
	curl --fail --silent --show-error --output "$work/$1.download" "$url" || die "cannot download $1 from $url"
	cmp -s "$2" "$work/$1.download" || die "the media behind $url differs from $2"
	echo "$1: file_id $file_id, $size bytes, downloaded from its media URL and identical to $(basename "$2")"
}

# check_stream OUTPUT: the media's class and task flow, and its HLS stream: the playlist behind the
# URL that terraform_data.player received must download and be an HLS playlist.
check_stream() {
	local class_id status hls_url
	class_id=$(output_value "$1" class_id)
	status=$(output_value "$1" procedure_status)
	hls_url=$(output_value "$1" hls_url)
	[[ -n "$class_id" && "$class_id" != 0 ]] || die "$1 is not in the demo's class (class_id ${class_id:-none})"
	[[ "$status" == FINISH ]] || die "$1's task flow ended ${status:-nowhere}, expected FINISH"
	[[ -n "$hls_url" ]] || die "terraform_data.player received no stream URL"
	curl --fail --silent --show-error --output "$work/$1.m3u8" "$hls_url" || die "cannot download $hls_url"
	[[ "$(head -n 1 "$work/$1.m3u8")" == "#EXTM3U" ]] || die "$hls_url is not an HLS playlist"
	echo "$1: in class $class_id, task flow $status, HLS stream $hls_url (a playlist of $(grep -c . "$work/$1.m3u8") lines)"
	stream_url=$hls_url
}

# write_package DIR: an HLS package with a master playlist and two variants of three small segments
# each, in nested directories, as a packager writes it.
write_package() {
	local dir=$1 v n
	printf '#EXTM3U\n#EXT-X-VERSION:3\n' >"$dir/master.m3u8"
	for v in 0 1; do
		mkdir -p "$dir/v$v/segments"
		printf '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n' >"$dir/v$v/index.m3u8"
		for n in 0 1 2; do
			head -c $((16384 * (v + 1))) /dev/urandom >"$dir/v$v/segments/seg$n.ts"
			printf '#EXTINF:4.000,\nsegments/seg%d.ts\n' "$n" >>"$dir/v$v/index.m3u8"
		done
		printf '#EXT-X-ENDLIST\n' >>"$dir/v$v/index.m3u8"
		printf '#EXT-X-STREAM-INF:BANDWIDTH=%d\nv%d/index.m3u8\n' $((400000 * (v + 1))) "$v" >>"$dir/master.m3u8"
	done
}

# check_package OUTPUT DIR: the package's master playlist behind its media URL, and one segment next
# to it, must download and equal the local files.
check_package() {
	local file_id url files base
	file_id=$(output_value "$1" file_id)
	url=$(output_value "$1" media_url)
	files=$(output_value "$1" package_files)
	[[ -n "$file_id" && -n "$url" ]] || die "output $1 names no media"
	curl --fail --silent --show-error --output "$work/$1.m3u8" "$url" || die "cannot download $url"
	cmp -s "$2/master.m3u8" "$work/$1.m3u8" || die "the playlist behind $url differs from master.m3u8"
	base=${url%/*}
	curl --fail --silent --show-error --output "$work/$1.seg.ts" "$base/v1/segments/seg2.ts" ||
		die "cannot download a segment next to $url"
	cmp -s "$2/v1/segments/seg2.ts" "$work/$1.seg.ts" || die "segment v1/segments/seg2.ts differs from the local one"
	echo "$1: file_id $file_id, an HLS package of $files files; its playlist and v1/segments/seg2.ts download from next to $url, identical"
}

step "building the provider and the emulator"
build_binaries

step "starting the emulator"
start_emulator
echo "emulator: $emulator_url"

step "preparing the Terraform work directory"
mkdir -p "$work/tf"
cp "$repo"/examples/demo/*.tf "$work/tf/"
head -c "$sample_bytes" /dev/urandom >"$work/sample.mp4"
head -c "$large_bytes" /dev/urandom >"$work/trailer.mp4"
mkdir -p "$work/package"
write_package "$work/package"
echo "sample files: $work/sample.mp4 ($sample_bytes bytes), $work/trailer.mp4 ($large_bytes bytes), an HLS package in $work/package"
# A plain array, not mapfile: the bash 3.2 of a fresh macOS runs this script too.
vars=(-var "media_file=$work/sample.mp4" -var "large_file=$work/trailer.mp4" -var "package_dir=$work/package" -var "receipt_file=$work/receipt.txt")

use_emulator

step "terraform apply (classes; the provider uploads one file and processes it, and an HLS package; curl uploads another file, the provider commits it)"
# dev_overrides serve the provider and terraform_data is built in: no terraform init needed.
TF_LOG_PROVIDER=INFO TF_LOG_PATH="$work/provider.log" \
	terraform -chdir="$work/tf" apply -auto-approve -input=false -no-color "${vars[@]}"

[[ -s "$work/receipt.txt" ]] || die "the upload step wrote no receipt"
object_key=$(receipt_value object_key)
[[ -n "$object_key" ]] || die "the receipt names no object key"

step "checking the emulator's object storage"
curl --fail --silent --show-error "$emulator_url/_emulator/objects" >"$work/objects.json"
stored_size=$(object_size "$work/objects.json" "$object_key")
[[ -n "$stored_size" ]] || die "object $object_key is not in the emulator's storage"
[[ "$stored_size" == "$sample_bytes" ]] || die "object $object_key has $stored_size bytes, expected $sample_bytes"
content_check="size"
if command -v md5sum >/dev/null 2>&1; then
	sample_md5=$(md5sum "$work/sample.mp4" | awk '{ print $1 }')
	[[ "$(object_md5 "$work/objects.json" "$object_key")" == "$sample_md5" ]] ||
		die "object $object_key does not have the sample's MD5"
	content_check="size and MD5"
fi
echo "object $object_key: $stored_size bytes, $content_check match the sample"

step "checking the media in VOD"
check_media trailer "$work/trailer.mp4"
trailer_id=$(output_value trailer file_id)
check_media clip "$work/sample.mp4"
check_stream trailer
check_package episode "$work/package"
episode_id=$(output_value episode file_id)
episode_files=$(output_value episode package_files)
parts=$(grep 'uploaded file to VOD storage' "$work/provider.log" | grep -o 'parts=[0-9]*' | sort -t= -k2 -n | tail -n 1 | cut -d= -f2 || true)
echo "the provider uploaded trailer.mp4 in ${parts:-?} parts"

step "terraform plan (nothing to change; the upload session it opens is never committed)"
terraform -chdir="$work/tf" plan -input=false -no-color -detailed-exitcode "${vars[@]}" >"$work/plan.log" ||
	{ cat "$work/plan.log" >&2; die "the second plan is not empty"; }
echo "No changes."

commit_calls=$(grep -c ' action=CommitUpload ' "$work/emulator.log" || true)
[[ "$commit_calls" == 3 ]] || die "$commit_calls CommitUpload calls; expected one per media"

step "terraform destroy"
terraform -chdir="$work/tf" destroy -auto-approve -input=false -no-color "${vars[@]}" >"$work/destroy.log" ||
	{ cat "$work/destroy.log" >&2; die "destroy failed"; }
curl --fail --silent --show-error "$emulator_url/_emulator/media" >"$work/media.json"
grep -q '"file_id"' "$work/media.json" && die "media left in VOD after destroy: $(cat "$work/media.json")"
echo "all three media deleted"
curl --fail --silent --show-error "$emulator_url/_emulator/classes" >"$work/classes.json"
grep -q '"Demo"' "$work/classes.json" && die "classes left in VOD after destroy: $(cat "$work/classes.json")"
echo "both classes deleted"

step "summary"
printf '%-12s %s\n' \
	"uploaded" "$sample_bytes bytes, stored $stored_size bytes ($content_check match)" \
	"bucket" "$(receipt_value bucket)" \
	"region" "$(receipt_value region)" \
	"object key" "$object_key" \
	"request id" "$(receipt_value request_id)" \
	"expires" "$(receipt_value expiration)" \
	"trailer" "media $trailer_id: $large_bytes bytes uploaded by the provider in ${parts:-?} parts" \
	"stream" "$stream_url (HLS, handed to terraform_data.player)" \
	"package" "media $episode_id: an HLS package of $episode_files files uploaded by the provider" \
	"commits" "$commit_calls CommitUpload calls for three media"
echo "demo: OK"
