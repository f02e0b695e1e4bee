from django.urls import path

from . import funnel_views, rolefit_views, views

urlpatterns = [
    path("plan/", views.plan_page, name="plan"),
    path("plan/<int:producer_id>/", views.plan_page, name="plan_of"),
    path("welcome/", views.welcome, name="welcome"),
    path("funnel/", funnel_views.funnel_page, name="funnel"),
    path("role-fit/", rolefit_views.role_fit_page, name="role_fit"),
    path("role-fit/<int:producer_id>/", rolefit_views.role_fit_detail, name="role_fit_detail"),
    path("role-fit/<int:producer_id>/role/", rolefit_views.role_change, name="role_change"),
]
