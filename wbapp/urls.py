from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from wbapp import views
from wbapp.accounts import signin

# allauth's limits answer with this (sign-up, password reset, …).
handler429 = signin.too_many_requests
# The admin signs in through the throttled sign-in, not a password form of its own.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # allauth's sign-in, answering a throttled attempt with 429 and Retry-After.
    path("accounts/login/", signin.login, name="account_login"),
    path("accounts/", include("allauth.urls")),
    path("", include("wbapp.accounts.urls")),
    path("", include("documents.urls")),
    path("", include("reviews.urls")),
    path("", include("wbapp.notifications.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_BASELINES:
    # The floors `make bench` measures pages against; never on in production, where
    # the module is not even imported.
    from wbapp import bench_views

    urlpatterns += [
        path("bench/minimal", bench_views.minimal, name="bench_minimal"),
        path("bench/query", bench_views.query_and_template, name="bench_query"),
    ]
