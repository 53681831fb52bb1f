variable "package_dir" {
  type        = string
  description = "Directory of an HLS package: master.m3u8, with its playlists and segments in it or below it."
}

# Uploads the master playlist, its variant playlists and every segment they
# list, upload_concurrency files at a time, and commits them as one media whose
# media_url is the master playlist's. The plan reads the playlists and checks
# every file; a change of any of them replaces the media.
resource "tencentvod_media" "episode" {
  source             = "${var.package_dir}/master.m3u8"
  media_name         = "Episode 1"
  upload_concurrency = 16
}

output "episode_playlist" {
  value = tencentvod_media.episode.media_url
}

output "episode_files" {
  value = tencentvod_media.episode.package_files
}
