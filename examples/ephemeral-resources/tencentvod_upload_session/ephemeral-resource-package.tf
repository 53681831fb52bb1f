variable "package_dir" {
  type        = string
  description = "Directory of an HLS package: master.m3u8, with its playlists and segments in it or below it."
}

locals {
  # Changes when any file of the package does.
  package_hash = sha256(join("\n", [
    for f in sort(fileset(var.package_dir, "**")) : "${f} ${filemd5("${var.package_dir}/${f}")}"
  ]))
}

# A session for a package (media_type m3u8 or mpd): its temporary credentials
# may write the manifest's key and any key in the same directory.
ephemeral "tencentvod_upload_session" "episode" {
  media_type = "m3u8"
  media_name = "episode-1"
}

# The script uploads master.m3u8 to COS_KEY and every other file of the package
# to COS_DIR/<its path relative to master.m3u8>, where VOD and players look for
# them, for example with coscli or a COS SDK.
resource "terraform_data" "upload_episode" {
  triggers_replace = [local.package_hash]

  provisioner "local-exec" {
    command = "${path.module}/scripts/cos-upload-package.sh"
    environment = {
      PACKAGE_DIR    = var.package_dir
      MANIFEST       = "master.m3u8"
      COS_BUCKET_URL = ephemeral.tencentvod_upload_session.episode.cos_bucket_url
      COS_KEY        = ephemeral.tencentvod_upload_session.episode.media_object_key
      COS_DIR        = dirname(ephemeral.tencentvod_upload_session.episode.media_object_key)
      COS_SECRET_ID  = ephemeral.tencentvod_upload_session.episode.temp_certificate.secret_id
      COS_SECRET_KEY = ephemeral.tencentvod_upload_session.episode.temp_certificate.secret_key
      COS_TOKEN      = ephemeral.tencentvod_upload_session.episode.temp_certificate.token
    }
  }
}

# Commits the package as one media; its media_url is the manifest's.
resource "tencentvod_media" "episode" {
  vod_session_key_wo = ephemeral.tencentvod_upload_session.episode.vod_session_key
  source_hash        = local.package_hash

  depends_on = [terraform_data.upload_episode]
}
