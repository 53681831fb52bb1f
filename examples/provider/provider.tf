terraform {
  required_providers {
    tencentvod = {
      source = "tencentvod/tencentvod"
    }
  }
}

# Credentials come from the environment, so they stay out of the configuration:
#   export TENCENTCLOUD_SECRET_ID="AKID..."
#   export TENCENTCLOUD_SECRET_KEY="..."
provider "tencentvod" {
  region = "ap-guangzhou"

  # Accounts opened since 2023-12-25 must name a VOD sub-application.
  sub_app_id = 1500000000
}

# Against the local emulator (go run ./cmd/tencentvod-emulator -addr 127.0.0.1:9000),
# with the emulator's default key pair:
#
# provider "tencentvod" {
#   secret_id    = "AKIDLOCALEMULATOR"
#   secret_key   = "local-emulator-secret-key"
#   endpoint     = "http://127.0.0.1:9000"
#   sts_endpoint = "http://127.0.0.1:9000"
#   cos_endpoint = "http://127.0.0.1:9000"
# }
