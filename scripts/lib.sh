# Shared by demo.sh, bench.sh and bench_outage.sh (sourced, not run): a work directory cleaned up on exit, the
# provider and emulator built into it, the emulator started on a free loopback port, and Terraform
# pointed at the fresh provider build through dev_overrides with the emulator's credentials.
# The sourcing script sets `name` (for messages) and `repo` first.

export GOTOOLCHAIN=local CHECKPOINT_DISABLE=1

# The emulator's default long-term key pair (see cmd/tencentvod-emulator); not a real secret.
emulator_secret_id=AKIDLOCALEMULATOR
emulator_secret_key=local-emulator-secret-key

die() { echo "$name: $*" >&2; exit 1; }
step() { printf '\n==> %s\n' "$*" >&2; }
now() { date +%s.%N; }
# elapsed START END [DIGITS]: the seconds from START to END (both from now), with DIGITS decimals (default 3).
elapsed() { awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { printf("%." d "f", b - a) }'; }

# make_upload_file FILE MIB: MIB MiB of incompressible bytes (AES-CTR keystream, or /dev/urandom
# without openssl).
make_upload_file() {
	local file=$1 bytes=$(($2 << 20))
	if command -v openssl >/dev/null 2>&1; then
		{ openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:tencentvod-bench -in /dev/zero 2>/dev/null || true; } |
			head -c "$bytes" >"$file"
	else
		head -c "$bytes" /dev/urandom >"$file"
	fi
	[[ $(wc -c <"$file") -eq $bytes ]] || die "could not write $bytes bytes to $file"
	[[ $(head -c 65536 "$file" | tr -d '\0' | wc -c) -gt 0 ]] || die "$file starts with zeros"
}

require_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 || die "$tool was not found on PATH"
	done
}

# make_work_dir KEEP_VARIABLE: creates $work, removed on exit with the emulator stopped, unless the
# variable named KEEP_VARIABLE is 1.
make_work_dir() {
	keep_variable=$1
	work=$(mktemp -d "${TMPDIR:-/tmp}/tencentvod-$name.XXXXXX")
	emulator_pid=""
	trap cleanup EXIT
}

cleanup() {
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	if [[ "${!keep_variable:-}" == 1 ]]; then
		echo "$name: work directory kept: $work" >&2
	else
		rm -rf "$work"
	fi
}

# build_binaries: the provider into $work/plugins (where dev_overrides points) and the emulator into $work/bin.
build_binaries() {
	mkdir -p "$work/plugins" "$work/bin"
	(cd "$repo" && go build -o "$work/plugins/terraform-provider-tencentvod" .)
	(cd "$repo" && go build -o "$work/bin/tencentvod-emulator" ./cmd/tencentvod-emulator)
}

# start_emulator [FLAGS...]: starts it on a free port, logging to $work/emulator.log; sets emulator_url.
start_emulator() {
	"$work/bin/tencentvod-emulator" -addr 127.0.0.1:0 -url-file "$work/emulator.url" \
		-secret-id "$emulator_secret_id" -secret-key "$emulator_secret_key" "$@" >"$work/emulator.log" 2>&1 &
	emulator_pid=$!
	if ! wait_for_file "$work/emulator.url" "$emulator_pid"; then
		cat "$work/emulator.log" >&2
		die "the emulator did not start"
	fi
	emulator_url=$(tr -d '[:space:]' <"$work/emulator.url")
}

# stop_emulator: stops the emulator start_emulator started, so that another can be started.
stop_emulator() {
	if [[ -n "$emulator_pid" ]] && kill -0 "$emulator_pid" 2>/dev/null; then
		kill "$emulator_pid" 2>/dev/null || true
		wait "$emulator_pid" 2>/dev/null || true
	fi
	emulator_pid=""
	rm -f "$work/emulator.url"
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

# write_provider_block DIR: the provider requirement and an empty provider block (settings come from
# the environment use_emulator sets), as providers.tf in DIR.
write_provider_block() {
	cat >"$1/providers.tf" <<'EOF'
terraform {
  required_providers {
    tencentvod = {
      source = "tencentvod/tencentvod"
    }
  }
}

provider "tencentvod" {}
EOF
}

# use_emulator: Terraform takes the provider from $work/plugins and the provider talks to the
# emulator. Settings from the caller's shell would point it elsewhere, so they are dropped first.
use_emulator() {
	local variable
	for variable in $(compgen -e); do
		case "$variable" in
		TENCENTCLOUD_* | TENCENTVOD_*) unset "$variable" ;;
		esac
	done
	cat >"$work/terraformrc" <<TFRC
provider_installation {
  dev_overrides {
    "tencentvod/tencentvod" = "$work/plugins"
  }
  direct {}
}
TFRC
	export TF_CLI_CONFIG_FILE="$work/terraformrc"
	export TF_IN_AUTOMATION=1
	export TENCENTCLOUD_SECRET_ID="$emulator_secret_id"
	export TENCENTCLOUD_SECRET_KEY="$emulator_secret_key"
	export TENCENTVOD_ENDPOINT="$emulator_url"
	export TENCENTVOD_STS_ENDPOINT="$emulator_url"
	export TENCENTVOD_COS_ENDPOINT="$emulator_url"
}
