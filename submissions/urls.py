from django.urls import path

from submissions import views

app_name = "submissions"
urlpatterns = [
    path("<slug:slug>/<str:code>/", views.form, name="form"),
    path("<slug:slug>/<str:code>/poster/ny/", views.entry_add, name="entry_add"),
    path("<slug:slug>/<str:code>/poster/<int:number>/", views.entry_edit, name="entry_edit"),
    path(
        "<slug:slug>/<str:code>/poster/<int:number>/fjern/",
        views.entry_remove,
        name="entry_remove",
    ),
    path("<slug:slug>/<str:code>/synlighed/", views.relevance, name="relevance"),
    path("<slug:slug>/<str:code>/kvittering/", views.receipt, name="receipt"),
    path("<slug:slug>/<str:code>/kvittering.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("<slug:slug>/<str:code>/genaabn/", views.reopen, name="reopen"),
    path("<slug:slug>/<str:code>/historik/", views.history, name="history"),
]
