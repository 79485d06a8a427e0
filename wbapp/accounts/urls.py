from django.urls import path

from . import views

urlpatterns = [
    path("teams/new/", views.team_create, name="team_create"),
    path("t/<slug:slug>/members/", views.team_members, name="team_members"),
    path("t/<slug:slug>/members/invite/", views.team_invite, name="team_invite"),
    path("t/<slug:slug>/members/<int:pk>/role/", views.membership_role, name="membership_role"),
    path(
        "t/<slug:slug>/members/<int:pk>/remove/", views.membership_remove, name="membership_remove"
    ),
    path(
        "t/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("t/<slug:slug>/leave/", views.team_leave, name="team_leave"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("settings/profile/", views.profile, name="profile"),
]
