from django.urls import path

from linli.care.reception import views, views_needs

app_name = "reception"

urlpatterns = [
    path("", views.desk, name="desk"),
    path("search/", views.caller_search, name="caller_search"),
    path("callers/<int:pk>/", views.caller_card, name="caller_card"),
    path("log/", views.entry_list, name="entries"),
    path("log/export/", views.entry_export, name="entries_export"),
    path("log/<int:pk>/", views.entry_detail, name="entry_detail"),
    path("log/<int:pk>/close/", views.entry_close, name="entry_close"),
    path("log/<int:pk>/ticket/", views.entry_to_ticket, name="entry_to_ticket"),
    path("log/<int:pk>/need/", views.entry_to_need, name="entry_to_need"),
    path("check/", views.daily_check, name="daily_check"),
    path("check/confirm/", views.daily_check_confirm, name="daily_check_confirm"),
    path("needs/", views_needs.need_list, name="needs"),
    path("needs/mine/", views_needs.my_needs, name="my_needs"),
    path("needs/new/", views_needs.need_create, name="need_create"),
    path("needs/report/", views_needs.need_report, name="need_report"),
    path("needs/report/export/", views_needs.need_report_export, name="need_report_export"),
    path("needs/<int:pk>/", views_needs.need_detail, name="need_detail"),
    path("needs/<int:pk>/status/", views_needs.need_status, name="need_status"),
    path("needs/<int:pk>/assign/", views_needs.need_assign, name="need_assign"),
    path("needs/<int:pk>/feedback/", views_needs.need_feedback, name="need_feedback"),
]
