variable "package_dir" {
  type        = string
  description = "Directory of an HLS package: master.m3u8, with its playlists and segments in it or below it."
}

# Uploads the master playlist, its variant playlists and every segment they
# list, 16 files at a time (upload_concurrency), and commits them as one media
# whose media_url is the master playlist's. The plan reads the playlists and
# checks every file; a change of any of them replaces the media.
resource "tencentvod_media" "episode" {
  source     = "${var.package_dir}/master.m3u8"
  media_name = "Episode 1"
}

output "episode_playlist" {
  value = tencentvod_media.episode.media_url
}

output "episode_files" {
  value = tencentvod_media.episode.package_files
}
