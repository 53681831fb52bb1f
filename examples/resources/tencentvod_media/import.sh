# A media file of the provider's (or the account's default) application, by file ID:
terraform import tencentvod_media.trailer 5285890781213513981

# A media file of another application: <sub_app_id>/<file_id>
terraform import tencentvod_media.trailer 1500000000/5285890781213513981
