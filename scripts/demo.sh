#!/usr/bin/env bash
# make demo: the provider end to end on this machine, with no cloud account.
#
# Builds the provider and the emulator, starts the emulator on a free loopback port, points
# Terraform at the freshly built provider (dev_overrides, so no `terraform init` and no
# registry), applies examples/demo (an upload session plus a curl upload with the presigned
# URL), then asks the emulator whether the object arrived. Needs Go, Terraform >= 1.11 and curl.
# DEMO_KEEP=1 keeps the work directory for inspection. No secret is printed.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
name=demo
# shellcheck source=scripts/lib.sh
source "$repo/scripts/lib.sh"
sample_bytes=${DEMO_SAMPLE_BYTES:-3145728}

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

step "building the provider and the emulator"
build_binaries

step "starting the emulator"
start_emulator
echo "emulator: $emulator_url"

step "preparing the Terraform work directory"
mkdir -p "$work/tf"
cp "$repo"/examples/demo/*.tf "$work/tf/"
head -c "$sample_bytes" /dev/urandom >"$work/sample.mp4"
echo "sample file: $work/sample.mp4 ($sample_bytes bytes)"

use_emulator

step "terraform apply (opens an upload session, uploads with curl)"
# dev_overrides serve the provider and terraform_data is built in: no terraform init needed.
terraform -chdir="$work/tf" apply -auto-approve -input=false -no-color \
	-var "media_file=$work/sample.mp4" -var "receipt_file=$work/receipt.txt"

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

step "terraform plan (no API call: the session is only opened while applying)"
terraform -chdir="$work/tf" plan -input=false -no-color -detailed-exitcode \
	-var "media_file=$work/sample.mp4" -var "receipt_file=$work/receipt.txt" >"$work/plan.log" ||
	{ cat "$work/plan.log" >&2; die "the second plan is not empty"; }
echo "No changes."

# The emulator logs one line per API call; plans with enabled = terraform.applying make none.
apply_upload_calls=$(grep -c ' action=ApplyUpload ' "$work/emulator.log" || true)

step "summary"
printf '%-12s %s\n' \
	"uploaded" "$sample_bytes bytes, stored $stored_size bytes ($content_check match)" \
	"bucket" "$(receipt_value bucket)" \
	"region" "$(receipt_value region)" \
	"object key" "$object_key" \
	"request id" "$(receipt_value request_id)" \
	"expires" "$(receipt_value expiration)" \
	"API calls" "$apply_upload_calls ApplyUpload for one apply and one plan"
echo "demo: OK"
