# Requires Terraform 1.14 or later. Every class of the provider's application,
# parents first; -generate-config-out writes a tencentvod_class for each.
list "tencentvod_class" "all" {
  provider         = tencentvod
  include_resource = true
}

# Only the classes directly under class 12.
list "tencentvod_class" "under_movies" {
  provider = tencentvod

  config {
    parent_id = 12
  }
}
