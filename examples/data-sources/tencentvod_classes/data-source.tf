# Find a class by its names from the top level down. A list, because a
# name may contain "/": this is the class "Action/Adventure" under "Movies".
data "tencentvod_classes" "action" {
  path = ["Movies", "Action/Adventure"]
}

resource "tencentvod_media" "trailer" {
  source   = "trailer.mp4"
  class_id = data.tencentvod_classes.action.class_id
}

# The whole tree of the application, each class with its path of names.
data "tencentvod_classes" "all" {}

output "class_paths" {
  value = { for c in data.tencentvod_classes.all.classes : join(" > ", c.path) => c.class_id }
}
