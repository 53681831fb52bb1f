variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

# Opens an upload session (ApplyUpload) only while applying: a plan alone makes no API call.
ephemeral "tencentvod_upload_session" "video" {
  media_type = "mp4"
  media_name = "launch-trailer"
  enabled    = terraform.applying
}

# Uploads the file with the presigned URL. Provisioners run when the resource is
# created or replaced, so new file content means a new upload.
resource "terraform_data" "upload_video" {
  triggers_replace = [filemd5(var.video_file)]

  provisioner "local-exec" {
    # curl reads the URL from stdin (--config -), so it never appears on a command line.
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
