# Terraform 1.12 or later. Without sub_app_id, the class is looked up in the provider's sub_app_id.
import {
  to = tencentvod_class.trailers
  identity = {
    class_id   = 12
    sub_app_id = 1500000000
  }
}
