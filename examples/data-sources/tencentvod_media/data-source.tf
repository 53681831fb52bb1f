variable "file_id" {
  type        = string
  description = "File ID of an existing media file."
}

data "tencentvod_media" "intro" {
  file_id = var.file_id
}

output "intro" {
  value = {
    name     = data.tencentvod_media.intro.name
    url      = data.tencentvod_media.intro.media_url
    size     = data.tencentvod_media.intro.size
    expires  = data.tencentvod_media.intro.expire_time
    category = data.tencentvod_media.intro.category
    region   = data.tencentvod_media.intro.storage_region
  }
}

output "playback" {
  value = {
    # The URL to give an HLS player; null until a task flow has made an HLS stream.
    hls_url = try([
      for s in data.tencentvod_media.intro.adaptive_streams : s.url
      if s.package == "HLS" && s.digital_watermark_type == "None"
    ][0], null)
    duration = data.tencentvod_media.intro.duration
    width    = data.tencentvod_media.intro.width
    height   = data.tencentvod_media.intro.height
  }
}
