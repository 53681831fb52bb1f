# A small class tree: Movies > Action/Adventure > Trailers.
# A class name may contain "/"; VOD allows at most 4 levels.
resource "tencentvod_class" "movies" {
  name = "Movies"
}

resource "tencentvod_class" "action" {
  name      = "Action/Adventure"
  parent_id = tencentvod_class.movies.class_id
}

# A new name renames the class in place. A new parent_id replaces it: with
# create_before_destroy the new class is created first, the media below move
# to it in place, and the old class is deleted once it is empty (VOD refuses
# to delete a class that still holds media). Moving a class replaces its
# subclasses too: those that hold media need create_before_destroy as well.
resource "tencentvod_class" "trailers" {
  name      = "Trailers"
  parent_id = tencentvod_class.action.class_id

  lifecycle {
    create_before_destroy = true
  }
}

resource "tencentvod_media" "teaser" {
  source   = "teaser.mp4"
  class_id = tencentvod_class.trailers.class_id
}

output "trailers_level" {
  value = tencentvod_class.trailers.level # 2: levels count from 0 at the top
}
