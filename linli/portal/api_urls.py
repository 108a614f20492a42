"""/api/v1/portal/: mounted by linli/api/urls.py with
`path("portal/", include("linli.portal.api_urls"))`."""

from django.urls import path

from linli.portal import api

app_name = "portal_api"

urlpatterns = [
    path("auth/code/", api.request_code, name="code"),
    path("auth/login/", api.login, name="login"),
    path("auth/logout/", api.logout, name="logout"),
    path("rooms/", api.rooms, name="rooms"),
    path("categories/", api.categories, name="categories"),
    path("tickets/", api.tickets, name="tickets"),
    path("tickets/<int:pk>/", api.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/return-visit/", api.return_visit, name="return_visit"),
    path("tickets/<int:pk>/photos/<int:photo_pk>/", api.photo, name="photo"),
    path("commitments/", api.commitments, name="commitments"),
]
