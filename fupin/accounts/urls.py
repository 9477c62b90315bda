from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_excel

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/otp/", views.login_otp, name="login_otp"),
    path("login/totp/", views.totp_setup, name="login_totp_setup"),
    path("security/", views.security, name="security"),
    path("security/totp/", views.totp_setup, name="totp_setup"),
    path("policy/", views.password_policy, name="password_policy"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("users/", views.user_list, name="user_list"),
    path("users/export/", views_excel.user_export, name="user_export"),
    path("login-log/export/", views_excel.login_log_export, name="login_log_export"),
    path("users/new/", views.user_edit, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/<slug:action>/", views.user_security, name="user_security"),
    path("login-log/", views.login_log, name="login_log"),
    path("tokens/", views.tokens, name="tokens"),
]
