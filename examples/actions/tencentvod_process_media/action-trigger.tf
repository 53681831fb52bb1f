variable "video_file" {
  type        = string
  description = "Path of the video to upload."
}

# Requires Terraform 1.14 or later. Processes each new upload of the file as soon as it
# is committed: a changed file (source_hash) replaces the media, so after_create runs
# the action for every new version. file_id is unknown when this is planned; the action
# accepts that and learns it at apply.
resource "tencentvod_media" "episode" {
  source      = var.video_file
  source_hash = filesha256(var.video_file)
  media_name  = "Episode 1"

  lifecycle {
    action_trigger {
      events  = [after_create]
      actions = [action.tencentvod_process_media.episode]
    }
  }
}

action "tencentvod_process_media" "episode" {
  config {
    file_id   = tencentvod_media.episode.file_id
    procedure = "StreamingPreset"
    wait      = true
    timeout   = "2h"
  }
}
