variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

# The task flow runs once the upload is committed, and the apply waits for it: its outputs are in
# the state when the apply ends, so other resources can use them in the same apply. Without
# wait_for_procedure the apply ends at the commit, and the outputs appear on a later refresh.
resource "tencentvod_media" "episode" {
  source             = var.video_file
  procedure          = "LongVideoPreset"
  wait_for_procedure = true
}

locals {
  # Streams without a digital watermark: a template run with one can also leave a copy per watermark.
  plain_streams = [for s in tencentvod_media.episode.adaptive_streams : s if s.digital_watermark_type == "None"]
}

# For HLS players (Safari and iOS, hls.js, Video.js, ExoPlayer): the master playlist of the first
# HLS stream (adaptive_streams is sorted by definition, then package).
output "hls_url" {
  value = try([for s in local.plain_streams : s.url if s.package == "HLS"][0], null)
}

# For dash.js, Shaka Player or ExoPlayer's DASH support.
output "dash_url" {
  value = try([for s in local.plain_streams : s.url if s.package == "DASH"][0], null)
}

# For progressive download, by transcoding template. Definition 0 is the original upload, not a
# transcode: it is left out.
output "download_urls" {
  value = {
    for t in tencentvod_media.episode.transcodes : t.definition => t.url
    if t.definition != 0 && t.digital_watermark_type == "None"
  }
}
