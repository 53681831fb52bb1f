variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

# The task flow runs once the upload is committed. Its outputs are read on every refresh: until it
# has finished, adaptive_streams is empty and hls_url is null.
resource "tencentvod_media" "episode" {
  source    = var.video_file
  procedure = "LongVideoPreset"
}

# For HLS players (Safari and iOS, hls.js, Video.js, ExoPlayer): the master playlist of the first
# HLS stream (adaptive_streams is sorted by definition, then package).
output "hls_url" {
  value = try([for s in tencentvod_media.episode.adaptive_streams : s.url if s.package == "HLS"][0], null)
}

# For dash.js, Shaka Player or ExoPlayer's DASH support.
output "dash_url" {
  value = try([for s in tencentvod_media.episode.adaptive_streams : s.url if s.package == "DASH"][0], null)
}

# For progressive download, by transcoding template. Definition 0 is the original upload, not a
# transcode: it is left out.
output "download_urls" {
  value = { for t in tencentvod_media.episode.transcodes : t.definition => t.url if t.definition != 0 }
}
