# A class of the provider's (or the account's default) application, by class ID:
terraform import tencentvod_class.trailers 12

# A class of another application: <sub_app_id>/<class_id>
terraform import tencentvod_class.trailers 1500000000/12
