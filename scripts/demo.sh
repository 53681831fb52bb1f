#!/usr/bin/env bash
# make demo: the provider end to end on this machine, with no cloud account.
#
# Builds the provider and the emulator, starts the emulator on a free loopback port, points
# Terraform at the freshly built provider (dev_overrides, so no `terraform init` and no
# registry), applies examples/demo (an upload session plus a curl upload with the presigned
# URL), then asks the emulator whether the object arrived. Needs Go, Terraform >= 1.11 and curl.
# DEMO_KEEP=1 keeps the work directory for inspection. No secret is printed.
set -euo pipefail

export GOTOOLCHAIN=local CHECKPOINT_DISABLE=1

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sample_bytes=${DEMO_SAMPLE_BYTES:-3145728}

# The emulator's default long-term key pair (see cmd/tencentvod-emulator); not a real secret.
emulator_secret_id=AKIDLOCALEMULATOR
emulator_secret_key=local-emulator-secret-key

die() { echo "demo: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*"; }

for tool in go terraform curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool was not found on PATH"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/tencentvod-demo.XXXXXX")
emulator_pid=""
cleanup() {
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	if [[ "${DEMO_KEEP:-}" == 1 ]]; then
		echo "demo: work directory kept: $work"
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT

# Settings from the caller's shell would point the provider elsewhere: start from none.
unset_provider_environment() {
	local name
	for name in $(compgen -e); do
		case "$name" in
		TENCENTCLOUD_* | TENCENTVOD_*) unset "$name" ;;
		esac
	done
}

# wait_for_file FILE PID: until FILE has content, or fail if PID exits or 30 s pass.
wait_for_file() {
	local file=$1 pid=$2 i
	for ((i = 0; i < 300; i++)); do
		[[ -s "$file" ]] && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

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
mkdir -p "$work/plugins" "$work/bin" "$work/tf"
(cd "$repo" && go build -o "$work/plugins/terraform-provider-tencentvod" .)
(cd "$repo" && go build -o "$work/bin/tencentvod-emulator" ./cmd/tencentvod-emulator)

step "starting the emulator"
"$work/bin/tencentvod-emulator" -addr 127.0.0.1:0 -url-file "$work/emulator.url" \
	-secret-id "$emulator_secret_id" -secret-key "$emulator_secret_key" >"$work/emulator.log" 2>&1 &
emulator_pid=$!
if ! wait_for_file "$work/emulator.url" "$emulator_pid"; then
	cat "$work/emulator.log" >&2
	die "the emulator did not start"
fi
emulator_url=$(tr -d '[:space:]' <"$work/emulator.url")
echo "emulator: $emulator_url"

step "preparing the Terraform work directory"
cat >"$work/terraformrc" <<EOF
provider_installation {
  dev_overrides {
    "tencentvod/tencentvod" = "$work/plugins"
  }
  direct {}
}
EOF
cp "$repo"/examples/demo/*.tf "$work/tf/"
head -c "$sample_bytes" /dev/urandom >"$work/sample.mp4"
echo "sample file: $work/sample.mp4 ($sample_bytes bytes)"

unset_provider_environment
export TF_CLI_CONFIG_FILE="$work/terraformrc"
export TF_IN_AUTOMATION=1
export TENCENTCLOUD_SECRET_ID="$emulator_secret_id"
export TENCENTCLOUD_SECRET_KEY="$emulator_secret_key"
export TENCENTVOD_ENDPOINT="$emulator_url"
export TENCENTVOD_STS_ENDPOINT="$emulator_url"
export TENCENTVOD_COS_ENDPOINT="$emulator_url"

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
