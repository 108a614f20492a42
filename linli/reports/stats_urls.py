from django.urls import path

from linli.reports import stats_views as views

app_name = "reports"

urlpatterns = [
    path("tickets/", views.ticket_stats, name="ticket_stats"),
    path("lessons/", views.lessons, name="lessons"),
    path("print/tickets/<int:pk>/complaint/", views.print_complaint, name="print_complaint"),
    path(
        "print/tickets/<int:pk>/return-visit/",
        views.print_return_visit,
        name="print_return_visit",
    ),
]
