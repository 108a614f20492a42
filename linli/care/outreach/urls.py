from django.urls import path

from linli.care.outreach import views

app_name = "outreach"

urlpatterns = [
    path("", views.calendar_page, name="calendar"),
    path("today/", views.today, name="today"),
    path("greetings/<int:pk>/done/", views.greeting_done, name="greeting_done"),
    path("greetings/stats/", views.greeting_stats, name="stats"),
    path("greetings/templates/", views.templates, name="templates"),
    path("notices/", views.notice_list, name="notices"),
    path("notices/new/", views.notice_new, name="notice_new"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("notices/<int:pk>/delivery/", views.notice_delivery, name="notice_delivery"),
    path("events/", views.event_list, name="events"),
    path("events/new/", views.event_new, name="event_new"),
    path("events/<int:pk>/", views.event_detail, name="event"),
    path("events/<int:pk>/invite/", views.event_invite, name="event_invite"),
    path("events/<int:pk>/attendance/", views.event_attendance, name="event_attendance"),
    path("invitations/<int:pk>/feedback/", views.invitation_feedback, name="invitation_feedback"),
]
