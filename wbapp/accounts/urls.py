from django.urls import path

from . import joining, views

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
    path(
        "invitations/<int:pk>/accept/",
        joining.invitation_accept_pending,
        name="invitation_accept_pending",
    ),
    path("invitations/<int:pk>/decline/", joining.invitation_decline, name="invitation_decline"),
    path("invitations/<str:token>/", joining.invitation_accept, name="invitation_accept"),
    path("invitations/<str:token>/signup/", joining.invitation_signup, name="invitation_signup"),
    path("invitations/<str:token>/signin/", joining.invitation_signin, name="invitation_signin"),
    path("settings/profile/", views.profile, name="profile"),
]
