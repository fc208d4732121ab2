from django.urls import path

from accounts import views

app_name = "accounts"
urlpatterns = [
    path("kommuner/", views.my_municipalities, name="my_municipalities"),
    path("inviter/", views.invite, name="invite"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
