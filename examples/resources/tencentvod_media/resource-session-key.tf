variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

# Opens an upload session on every plan and apply; the apply's session is
# the one the upload below and the commit use.
ephemeral "tencentvod_upload_session" "video" {
  media_type = "mp4"
  media_name = "keynote"
}

# Any tool can upload; here curl with the session's presigned URL. It runs
# when the file changes. If an apply fails after the upload but before the
# commit, run `terraform apply -replace=terraform_data.upload_video`.
resource "terraform_data" "upload_video" {
  triggers_replace = [filemd5(var.video_file)]

  provisioner "local-exec" {
    command = <<-EOT
      printf 'url = "%s"\n' "$UPLOAD_URL" |
        curl --fail --silent --show-error --upload-file "$VIDEO_FILE" --config -
    EOT
    environment = {
      VIDEO_FILE = var.video_file
      UPLOAD_URL = ephemeral.tencentvod_upload_session.video.media_upload_url
    }
  }
}

# Commits the upload. The session key is write-only: used at create, never
# stored. A new file content replaces the media (and uploads it again above).
resource "tencentvod_media" "keynote" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.video.vod_session_key
  source_hash        = filemd5(var.video_file)
  description        = "Uploaded with curl, committed by Terraform"

  depends_on = [terraform_data.upload_video]
}
