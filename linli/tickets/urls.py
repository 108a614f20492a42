from django.urls import path

from linli.tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.ticket_list, name="list"),
    path("new/", views.ticket_create, name="create"),
    path("my/", views.my_work, name="my_work"),
    path("board/", views.office_board, name="board"),
    path("company/", views.company_board, name="company_board"),
    path("<int:pk>/", views.ticket_detail, name="detail"),
    path("<int:pk>/do/<slug:action>/", views.ticket_action, name="action"),
    path("<int:pk>/replies/<int:reply_pk>/advance/", views.reply_advance, name="reply_advance"),
    path("return-visits/<int:pk>/", views.return_visit, name="return_visit"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
