"""Error pages (400, 403, 404, 500, CSRF failure): Chinese, standalone, never a traceback or a list of URLs.

They render without the request's context processors, so a page still comes out when the database or a
template tag of the site is what failed. API paths get the API's JSON shape (``{"detail": …}``) instead.
"""

from django.http import HttpResponse, JsonResponse
from django.template import loader

API_PREFIX = "/api/"


def _error(request, status: int, title: str, text: str, template: str = "error.html") -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return JsonResponse({"detail": text}, status=status, json_dumps_params={"ensure_ascii": False})
    body = loader.get_template(template).render({"status": status, "title": title, "text": text})
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "请求有误", "无法处理这个请求，请返回上一页重新操作。", "400.html")


def permission_denied(request, exception=None):
    message = str(exception) if exception is not None else ""
    # The services' messages are written for users ("只能查看自己的任务"); Django's own are English and technical.
    text = message if message and not message.isascii() else "当前账号没有查看或办理此项的权限。"
    return _error(request, 403, "没有权限", text, "403.html")


def page_not_found(request, exception=None):
    return _error(request, 404, "页面不存在", "您访问的页面不存在或已被删除，请检查地址或从首页重新进入。", "404.html")


def server_error(request):
    return _error(request, 500, "系统出错", "系统处理时出错，已记录，请稍后重试；如一再出现请联系管理员。", "500.html")


def csrf_failure(request, reason=""):
    return _error(request, 403, "页面已过期", "页面已过期或来自其他网站，请返回上一页刷新后重新提交。", "403_csrf.html")
