variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

variable "cover_file" {
  type        = string
  description = "Path of its cover image (jpg, png or gif)."
}

# Uploads the file (multipart when it is larger than one part), then commits it.
# source_hash replaces the media when the file's content changes;
# cover_source_hash uploads a changed cover in place. The task flow runs after
# the commit and the apply waits for it (within the create timeout), so that
# what it produces is known when the apply ends. A failed task is a warning,
# and the next plan proposes running it again in place.
resource "tencentvod_media" "trailer" {
  source      = var.video_file
  source_hash = filesha256(var.video_file)

  cover_source      = var.cover_file
  cover_source_hash = filesha256(var.cover_file)

  media_name  = "Launch trailer"
  description = "Uploaded by Terraform"
  tags        = ["launch", "trailer"]

  procedure          = "LongVideoPreset"
  wait_for_procedure = true

  timeouts {
    create = "2h"
  }
}

output "trailer_url" {
  value = tencentvod_media.trailer.media_url
}
