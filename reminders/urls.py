from django.urls import path

from . import views

app_name = "reminders"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("<int:pk>/", views.notification_detail, name="detail"),
    path("badge/", views.notification_badge, name="badge"),
    path("read-all/", views.notifications_read_all, name="read_all"),
    path("holidays/", views.holiday_list, name="holidays"),
    path("holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("holidays/refresh/", views.holidays_refresh, name="holidays_refresh"),
]
