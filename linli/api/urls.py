from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from linli.api import views
from linli.customers.api import CustomerViewSet, OccupancyViewSet, RoomViewSet, search
from linli.tickets.api import TicketViewSet

app_name = "api"

router = SimpleRouter()
router.register("customers", CustomerViewSet, basename="customer")
router.register("rooms", RoomViewSet, basename="room")
router.register("occupancies", OccupancyViewSet, basename="occupancy")
router.register("tickets", TicketViewSet, basename="ticket")

urlpatterns = [
    path("auth/token/", views.obtain_token, name="token"),
    path("me/", views.me, name="me"),
    path("search/", search, name="search"),
    path("portal/", include("linli.portal.api_urls")),
    path("grading/", include("linli.grading.api_urls")),
    path("surveys/", include("linli.surveys.api_urls")),
    path("care/visits/", include("linli.care.visits.api_urls")),
    path("care/reception/", include("linli.care.reception.api_urls")),
    path("communities/", views.CommunityList.as_view(), name="community_list"),
    path("communities/<str:code>/", views.CommunityDetail.as_view(), name="community_detail"),
    path("policy/parameters/", views.parameters, name="parameters"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
urlpatterns += router.urls
