variable "media_file" {
  type        = string
  description = "Path of the media file to upload."
}

# The session's bucket, object key and temporary credentials, handed to a tool of your
# choice through environment variables (never on its command line).
ephemeral "tencentvod_upload_session" "media" {
  media_type = "mp4"
  procedure  = "LongVideoPreset"
  enabled    = terraform.applying
}

resource "terraform_data" "upload_media" {
  triggers_replace = [filemd5(var.media_file)]

  provisioner "local-exec" {
    # Any script or tool that reads these variables, e.g. one built on a COS SDK.
    command = "${path.module}/scripts/cos-upload.sh"
    environment = {
      SOURCE_FILE    = var.media_file
      COS_BUCKET     = ephemeral.tencentvod_upload_session.media.storage_bucket
      COS_REGION     = ephemeral.tencentvod_upload_session.media.storage_region
      COS_BUCKET_URL = ephemeral.tencentvod_upload_session.media.cos_bucket_url
      COS_KEY        = ephemeral.tencentvod_upload_session.media.media_object_key
      COS_SECRET_ID  = ephemeral.tencentvod_upload_session.media.temp_certificate.secret_id
      COS_SECRET_KEY = ephemeral.tencentvod_upload_session.media.temp_certificate.secret_key
      COS_TOKEN      = ephemeral.tencentvod_upload_session.media.temp_certificate.token
      # Needed later to commit the upload to VOD (CommitUpload).
      VOD_SESSION_KEY = ephemeral.tencentvod_upload_session.media.vod_session_key
    }
  }
}
