from django.urls import path

from linli.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("login/code/", views.request_code, name="request_code"),
    path("logout/", views.logout, name="logout"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("tickets/", views.ticket_list, name="tickets"),
    path("tickets/new/", views.ticket_new, name="ticket_new"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/rate/", views.rate, name="rate"),
    path("tickets/<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("commitments/", views.commitments, name="commitments"),
]
