from django.urls import path

from linli.org import views

app_name = "org"

urlpatterns = [
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<int:pk>/", views.staff_edit, name="staff_edit"),
    path("communities/", views.community_list, name="community_list"),
    path("communities/<str:code>/", views.community_detail, name="community_detail"),
    path("switch-community/", views.switch_community, name="switch_community"),
]
