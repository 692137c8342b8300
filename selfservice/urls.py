from django.urls import path

from . import views

app_name = "selfservice"
urlpatterns = [
    # The retiree's own page: a short path, printed in the QR code.
    path("r/<str:token>/", views.page, name="page"),
    path("r/<str:token>/ok/", views.checkin, name="checkin"),
    path("r/<str:token>/help/", views.help_request, name="help"),
    path("r/<str:token>/call/", views.callback, name="callback"),
    path("r/<str:token>/notices/<int:pk>/", views.notice, name="notice"),
    path("r/<str:token>/notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("r/<str:token>/notices/<int:pk>/file/", views.notice_file, name="notice_file"),
    # The office's pages.
    path("links/", views.link_list, name="link_list"),
    path("links/print/", views.link_print, name="link_print"),
    path("links/issue-missing/", views.links_issue_missing, name="links_issue_missing"),
    path("links/<int:pk>/revoke/", views.link_revoke, name="link_revoke"),
    path("links/retirees/<int:pk>/issue/", views.link_issue, name="link_issue"),
]
