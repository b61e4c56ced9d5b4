from django.urls import path

from apps.provisioning import views

app_name = "provisioning"

urlpatterns = [
    path("", views.project_list_view, name="project_list"),
    path("new/", views.project_create_view, name="project_create"),
    path("aws-account/", views.aws_account_view, name="aws_account"),
    path("aws-account/start/", views.aws_account_start_view, name="aws_account_start"),
    path("aws-account/connect/", views.aws_account_connect_view, name="aws_account_connect"),
    path("aws-account/check/", views.aws_account_recheck_view, name="aws_account_recheck"),
    path("aws-account/disconnect/", views.aws_account_disconnect_view, name="aws_account_disconnect"),
    path("<int:project_id>/", views.project_view, {"tab": "infrastructure"}, name="infrastructure"),
    path("<int:project_id>/application/", views.project_view, {"tab": "application"}, name="application"),
    # The live part of either tab alone (?tab=), as the tab's own htmx poll gets it.
    path("<int:project_id>/status/", views.project_view, {"partial": True}, name="status"),
    path("<int:project_id>/provision/", views.provision_view, name="provision"),
    path("<int:project_id>/destroy/", views.destroy_view, name="destroy"),
    path("<int:project_id>/deploy/", views.deploy_view, name="deploy"),
    path("<int:project_id>/purge/", views.purge_view, name="purge"),
    path("<int:project_id>/extend/", views.extend_view, name="extend"),
    path("<int:project_id>/delete/", views.delete_view, name="delete"),
    path("<int:project_id>/preview/", views.preview_view, name="preview"),
    # The site's files under a link made for one member (the root, then any path below it).
    path("<int:project_id>/preview/<str:token>/", views.preview_file_view, {"path": ""}, name="preview_file"),
    path("<int:project_id>/preview/<str:token>/<path:path>", views.preview_file_view, name="preview_file"),
]
