from django.urls import path

from . import views
from .choices import Ledger

app_name = "ledgers"
urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("vaccination/", views.ledger_list, {"ledger": Ledger.VACCINATION}, name="vaccination"),
    path("testing/", views.ledger_list, {"ledger": Ledger.TESTING}, name="testing"),
    path("exposure/", views.ledger_list, {"ledger": Ledger.EXPOSURE}, name="exposure"),
    path("health/", views.ledger_list, {"ledger": Ledger.HEALTH}, name="health"),
    path("retiree/<int:pk>/", views.retiree_ledgers, name="retiree"),
    path("retiree/<int:pk>/dose/", views.entry_add, {"kind": "dose"}, name="dose_add"),
    path("retiree/<int:pk>/willingness/", views.entry_add, {"kind": "stance"}, name="stance_add"),
    path("retiree/<int:pk>/test/", views.entry_add, {"kind": "test"}, name="test_add"),
    path("retiree/<int:pk>/exposure/", views.entry_add, {"kind": "exposure"}, name="exposure_add"),
    path("retiree/<int:pk>/exposure/lift/", views.exposure_lift, name="exposure_lift"),
    path("retiree/<int:pk>/health/", views.entry_add, {"kind": "health"}, name="health_add"),
    path("rounds/<int:pk>/signoff/", views.signoff_round, name="signoff_round"),
    path("signoffs/<int:pk>/", views.signoff_detail, name="signoff_detail"),
    path(
        "signoffs/<int:pk>/changes.<str:file_format>",
        views.signoff_export,
        {"what": Ledger.SIGNOFF_CHANGES},
        name="signoff_changes_export",
    ),
    path(
        "signoffs/<int:pk>/<str:ledger>.<str:file_format>",
        views.signoff_export,
        {"what": Ledger.SIGNOFF},
        name="signoff_snapshot_export",
    ),
    path("exports/", views.export_log, name="export_log"),
    path("import/", views.import_start, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<uuid:pk>/", views.import_upload, name="import_upload"),
    path("import/<uuid:pk>/progress/", views.import_progress, name="import_progress"),
    path("import/<uuid:pk>/map/", views.import_map, name="import_map"),
    path("import/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
]
