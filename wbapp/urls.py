from django.contrib import admin
from django.urls import include, path

from wbapp import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("", include("wbapp.accounts.urls")),
    path("admin/", admin.site.urls),
]
