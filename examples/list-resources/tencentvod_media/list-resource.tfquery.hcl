# Requires Terraform 1.14 or later. `terraform query` lists the media;
# `terraform query -generate-config-out=media.tf` also writes a tencentvod_media
# resource and an import block for each, which plan no change once imported.
list "tencentvod_media" "videos_2024" {
  provider         = tencentvod
  include_resource = true
  # Terraform lists at most 100 results unless told otherwise: to adopt more, raise it.
  limit = 2000

  config {
    categories = ["Video"]
    class_ids  = [12] # the class and its subclasses

    create_time {
      after  = "2024-01-01T00:00:00Z"
      before = "2025-01-01T00:00:00Z"
    }
  }
}

# Media of another application whose names start with "trailer-", tagged promo or summer.
# (names = [...] matches loosely instead, ranked by relevance: at most 5,000 results.)
list "tencentvod_media" "trailers" {
  provider = tencentvod
  limit    = 500

  config {
    sub_app_id    = 1500000001
    name_prefixes = ["trailer-"]
    tags          = ["promo", "summer"]
  }
}
