from django.urls import path

from . import views

# People management (人员管理), for office staff; mounted at /people/.
app_name = "accounts"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_create, name="user_create"),
    path("<int:pk>/", views.user_edit, name="user_edit"),
    path("<int:pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("<int:pk>/active/", views.user_set_active, name="user_set_active"),
    path("<int:pk>/two-factor/", views.user_two_factor_reset, name="user_two_factor_reset"),
    path("import/", views.user_import, name="user_import"),
    path("import/confirm/", views.user_import_confirm, name="user_import_confirm"),
    path("import/template/", views.user_import_template, name="user_import_template"),
]
