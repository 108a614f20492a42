from django.urls import path

from linli.care.visits import views

app_name = "visits"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("plans/generate/", views.generate, name="generate"),
    path("today/", views.today, name="today"),
    path("record/", views.record, name="record"),
    path("records/", views.visit_list, name="visits"),
    path("records/<int:pk>/", views.visit_detail, name="visit"),
    path("records/<int:pk>/ticket/", views.raise_ticket, name="raise_ticket"),
    path("records/<int:pk>/need/", views.raise_need, name="raise_need"),
    path("commitments/<int:pk>/done/", views.commitment_done, name="commitment_done"),
    path("handovers/", views.handovers, name="handovers"),
    path("handovers/new/", views.handover_new, name="handover_new"),
    path("handovers/<int:pk>/", views.handover_detail, name="handover"),
    path("handover-tasks/<int:pk>/contact/", views.task_contact, name="task_contact"),
]
