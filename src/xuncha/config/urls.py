from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from xuncha.petitions.urls import public_urlpatterns

urlpatterns = [
    path("", include("xuncha.common.urls")),
    path("units/", include("xuncha.units.urls")),
    path("rounds/", include("xuncha.planning.urls")),
    path("findings/", include("xuncha.findings.urls")),
    path("ledger/", include("xuncha.rectifications.urls")),
    path("cards/", include("xuncha.supervision.card_urls")),
    path("supervision/", include("xuncha.supervision.urls")),
    path("sham/", include("xuncha.sham.urls")),
    path("surveys/", include("xuncha.surveys.urls")),
    path("selfchecks/", include("xuncha.selfchecks.urls")),
    path("petitions/", include("xuncha.petitions.urls")),
    path("checks/", include("xuncha.checks.urls")),
    path("documents/", include("xuncha.documents.urls")),
    path("reviews/", include("xuncha.reviews.urls")),
    path("policy/", include("xuncha.policy.urls")),
    path("risk/", include("xuncha.risk.urls")),
    path("worklist/", include("xuncha.worklist.urls")),
    path("escalation/", include("xuncha.escalation.urls")),
    path("p/", include(public_urlpatterns)),
    path("s/", include("xuncha.surveys.public_urls")),
    path("figures/", include("xuncha.dashboards.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("xuncha.accounts.urls")),
    path("admin/", admin.site.urls),
]
