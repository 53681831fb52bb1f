variable "library_url" {
  type        = string
  description = "Base URL of the library the media are migrated from."
}

# VOD pulls the file from the URL itself; the apply waits for the pull task
# (within the create timeout) and for the task flow it starts. A pull that
# fails reports VOD's ErrCode and message. If the timeout runs out first, the
# media is saved unfinished with pull_task_id, and the next apply finishes it
# from the same task: the file is never pulled twice.
resource "tencentvod_media" "lecture" {
  source_url       = "${var.library_url}/lectures/intro.mp4"
  cover_source_url = "${var.library_url}/lectures/intro.png"

  description    = "Migrated from the old library"
  tags           = ["lecture", "migrated"]
  tasks_priority = 5

  procedure          = "LongVideoPreset"
  wait_for_procedure = true

  timeouts {
    create = "3h"
  }
}

output "lecture_pull_task" {
  value = tencentvod_media.lecture.pull_task_id
}
