# Terraform 1.12 or later. Without sub_app_id, the media is looked up in the provider's sub_app_id.
import {
  to = tencentvod_media.trailer
  identity = {
    file_id    = "5285890781213513981"
    sub_app_id = 1500000000
  }
}
