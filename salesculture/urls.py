from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import auth_views as password_views
from . import people_views, pwa_views, token_views, views, webhook_views

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("profile/", views.profile, name="profile"),
    path("audit/", views.audit, name="audit"),
    path("profile/tokens/", token_views.api_tokens, name="api_tokens"),
    path("profile/tokens/<int:token_id>/revoke/", token_views.api_token_revoke_view,
         name="api_token_revoke"),
    path("settings/tokens/", token_views.agency_api_tokens, name="agency_api_tokens"),
    path("settings/webhooks/", webhook_views.webhooks, name="webhooks"),
    path("settings/webhooks/<int:webhook_id>/", webhook_views.webhook, name="webhook"),
    path("settings/webhooks/<int:webhook_id>/remove/", webhook_views.webhook_remove,
         name="webhook_remove"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", pwa_views.LogoutView.as_view(), name="logout"),
    path("manifest.webmanifest", pwa_views.manifest, name="manifest"),
    path("sw.js", pwa_views.service_worker, name="service_worker"),
    path("offline/", pwa_views.offline, name="offline"),
    path("password_reset/", password_views.PasswordResetView.as_view(), name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    path("settings/people/", people_views.people, name="people"),
    path("invite/", people_views.invite, name="invite"),
    path("settings/people/invitations/<int:invitation_id>/resend/",
         people_views.invitation_resend_view, name="invitation_resend"),
    path("settings/people/invitations/<int:invitation_id>/revoke/",
         people_views.invitation_revoke_view, name="invitation_revoke"),
    path("settings/people/<int:producer_id>/role/", people_views.person_role,
         name="person_role"),
    path("settings/people/<int:producer_id>/active/", people_views.person_active,
         name="person_active"),
    path("invitation/<str:token>/", people_views.invitation_accept_view,
         name="invitation_accept"),
    path("admin/", admin.site.urls),
    # The first-run pages create an agency with its default stages, which are pipeline's:
    # they live there, included by name so this package imports nothing above it.
    path("", include("pipeline.setup_urls")),
    # The pipeline's pages are under /pipeline/; its import and export at /import/, /export/.
    path("", include("pipeline.urls")),
    path("settings/", include("salesculture.settings_urls")),
    path("settings/", include("pipeline.settings_urls")),
    path("", include("accountability.urls")),
    # The JSON API (token auth, OpenAPI at /api/v1/openapi.json) reads accountability's
    # numbers, so it lives there, included by name.
    path("api/v1/", include("accountability.api.urls")),
]
