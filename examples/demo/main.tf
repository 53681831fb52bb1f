# The configuration behind `make demo` (scripts/demo.sh), against the local emulator:
#  - two classes (categories), "Demo" and "Demo/Trailers", as code;
#  - tencentvod_media.trailer uploads a local file itself (in parallel parts) into the trailers class,
#    commits it, runs the StreamingPreset task flow on it and waits for it; its HLS stream's URL is
#    handed to terraform_data.player in the same apply;
#  - tencentvod_media.episode uploads an HLS package (a master playlist, two variant playlists and
#    their segments, in nested directories) as one media;
#  - an upload session plus curl with its presigned URL uploads another file, and
#    tencentvod_media.clip commits that upload with the write-only session key.
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

variable "large_file" {
  type        = string
  description = "Path of a larger file the provider uploads itself."
}

variable "package_dir" {
  type        = string
  description = "Directory of an HLS package whose master playlist is master.m3u8."
}

variable "receipt_file" {
  type        = string
  description = "Where the upload step writes the non-secret session details."
}

provider "tencentvod" {}

resource "tencentvod_class" "demo" {
  name = "Demo"
}

resource "tencentvod_class" "trailers" {
  name      = "Trailers"
  parent_id = tencentvod_class.demo.class_id
}

# The provider uploads this file in 8 MiB parts, four at a time, commits it into the trailers
# class, then starts the task flow and waits until its playback outputs exist.
resource "tencentvod_media" "trailer" {
  source             = var.large_file
  source_hash        = filemd5(var.large_file)
  media_name         = "demo-trailer"
  description        = "Uploaded by the provider in parts"
  tags               = ["demo", "multipart"]
  class_id           = tencentvod_class.trailers.class_id
  procedure          = "StreamingPreset"
  wait_for_procedure = true
}

# The plan reads the playlists locally and checks that every segment is there; the apply uploads
# the master playlist to the media's key and every other file next to it, 16 at a time.
resource "tencentvod_media" "episode" {
  source     = "${var.package_dir}/master.m3u8"
  media_name = "demo-episode"
  class_id   = tencentvod_class.trailers.class_id
}

locals {
  # The adaptive HLS stream is what a player opens; transcodes are single-bitrate files. The
  # stream without a digital watermark, the one any HLS player plays.
  trailer_hls_url = one([
    for s in tencentvod_media.trailer.adaptive_streams : s.url
    if s.package == "HLS" && s.digital_watermark_type == "None"
  ])
}

# Stands for whatever consumes the playback URL (an app's configuration, a CDN rule, ...).
resource "terraform_data" "player" {
  input = {
    stream_url = local.trailer_hls_url
  }
}

# Opened on every plan and apply; only the apply's session is uploaded to and committed.
ephemeral "tencentvod_upload_session" "demo" {
  media_type = "mp4"
  media_name = "terraform-demo"
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

# Commits the curl upload above. The session key is write-only: never stored.
resource "tencentvod_media" "clip" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.demo.vod_session_key
  source_hash        = filemd5(var.media_file)
  description        = "Uploaded with curl, committed by Terraform"

  depends_on = [terraform_data.upload]
}

output "trailer" {
  value = {
    file_id          = tencentvod_media.trailer.file_id
    media_url        = tencentvod_media.trailer.media_url
    size             = tencentvod_media.trailer.size
    class_id         = tencentvod_media.trailer.class_id
    procedure_status = tencentvod_media.trailer.procedure_status
    hls_url          = terraform_data.player.output.stream_url
  }
}

output "episode" {
  value = {
    file_id       = tencentvod_media.episode.file_id
    media_url     = tencentvod_media.episode.media_url
    package_files = tencentvod_media.episode.package_files
    package_bytes = tencentvod_media.episode.package_bytes
  }
}

output "clip" {
  value = {
    file_id   = tencentvod_media.clip.file_id
    media_url = tencentvod_media.clip.media_url
    size      = tencentvod_media.clip.size
  }
}
