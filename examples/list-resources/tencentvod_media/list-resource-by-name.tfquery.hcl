# Media whose names start with "trailer-" in another application, with their tags.
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
