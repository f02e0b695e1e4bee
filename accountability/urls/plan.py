from django.urls import path

from ..views import confidence, funnel, plan, rolefit

urlpatterns = [
    path("plan/", plan.plan_page, name="plan"),
    path("plan/<int:producer_id>/", plan.plan_page, name="plan_of"),
    path("funnel/", funnel.funnel_page, name="funnel"),
    path("confidence/", confidence.confidence_page, name="confidence"),
    path("confidence/<int:producer_id>/", confidence.confidence_page, name="confidence_of"),
    path("confidence/check-in/", confidence.check_in, name="check_in"),
    path("role-fit/", rolefit.role_fit_page, name="role_fit"),
    path("role-fit/<int:producer_id>/", rolefit.role_fit_detail, name="role_fit_detail"),
    path("role-fit/<int:producer_id>/role/", rolefit.role_change, name="role_change"),
    path("welcome/", plan.welcome, name="welcome"),
]
