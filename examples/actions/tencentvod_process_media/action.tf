# Requires Terraform 1.14 or later. Runs a task flow on media already in VOD, on demand:
#
#   terraform apply -invoke=action.tencentvod_process_media.reprocess
#
# The action starts the procedure once per invocation, shows the task id, and with
# wait = true follows the task, showing its status and each sub-task's progress,
# until it ends or the timeout runs out (the task then keeps running in VOD).
action "tencentvod_process_media" "reprocess" {
  config {
    file_id         = "5285890781234567890"
    procedure       = "StreamingPreset"
    session_context = "reprocessed by Terraform"
    tasks_priority  = 5
    wait            = true
    timeout         = "1h"
  }
}
