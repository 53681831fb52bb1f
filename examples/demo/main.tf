# The configuration behind `make demo` (scripts/demo.sh): it opens an upload session on the
# local emulator, uploads a file with the presigned URL and writes a receipt without secrets.
# Provider settings come from the environment set by the script.
terraform {
  required_version = ">= 1.11"

  required_providers {
    tencentvod = {
      source = "tencentvod/tencentvod"
    }
  }
}

variable "media_file" {
  type        = string
  description = "Path of the file to upload."
}

variable "receipt_file" {
  type        = string
  description = "Where the upload step writes the non-secret session details."
}

provider "tencentvod" {}

# Opened only while applying, so the plan before the apply makes no API call.
ephemeral "tencentvod_upload_session" "demo" {
  media_type = "mp4"
  media_name = "terraform-demo"
  enabled    = terraform.applying
}

resource "terraform_data" "upload" {
  triggers_replace = [filemd5(var.media_file)]

  provisioner "local-exec" {
    # Terraform hides the output of a provisioner with ephemeral values, so the step leaves
    # a receipt behind. It names no credential and no presigned URL.
    command = <<-EOT
      set -eu
      printf 'url = "%s"\n' "$UPLOAD_URL" |
        curl --fail --silent --show-error --upload-file "$MEDIA_FILE" --config -
      {
        echo "bucket=$BUCKET"
        echo "region=$REGION"
        echo "object_key=$OBJECT_KEY"
        echo "request_id=$REQUEST_ID"
        echo "expiration=$EXPIRATION"
      } >"$RECEIPT_FILE"
    EOT
    environment = {
      MEDIA_FILE   = var.media_file
      RECEIPT_FILE = var.receipt_file
      UPLOAD_URL   = ephemeral.tencentvod_upload_session.demo.media_upload_url
      BUCKET       = ephemeral.tencentvod_upload_session.demo.storage_bucket
      REGION       = ephemeral.tencentvod_upload_session.demo.storage_region
      OBJECT_KEY   = ephemeral.tencentvod_upload_session.demo.media_object_key
      REQUEST_ID   = ephemeral.tencentvod_upload_session.demo.request_id
      EXPIRATION   = ephemeral.tencentvod_upload_session.demo.temp_certificate.expiration
    }
  }
}
