from django.urls import path

from linli.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="customer_list"),
    path("search/", views.search, name="search"),
    path("new/", views.customer_create, name="customer_create"),
    path("<int:pk>/", views.customer_detail, name="customer_detail"),
    path("<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("<int:pk>/unmask/", views.customer_unmask, name="customer_unmask"),
    path("<int:pk>/secrecy/", views.customer_secrecy, name="customer_secrecy"),
    path("<int:pk>/rooms/", views.occupancy_create, name="occupancy_create"),
    path("occupancies/<int:pk>/edit/", views.occupancy_edit, name="occupancy_edit"),
    path("occupancies/<int:pk>/move-out/", views.occupancy_move_out, name="occupancy_move_out"),
    path("rooms/", views.room_list, name="room_list"),
    path("rooms/new/", views.room_create, name="room_create"),
    path("rooms/<int:pk>/", views.room_detail, name="room_detail"),
    path("rooms/<int:pk>/edit/", views.room_edit, name="room_edit"),
    path("completeness/", views.completeness, name="completeness"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/rooms/<int:room_pk>/", views.review_mark, name="review_mark"),
]
