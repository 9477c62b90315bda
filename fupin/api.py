"""The REST API: one NinjaAPI with token auth; each app contributes a router from its ``api`` module."""

from ninja import NinjaAPI

api = NinjaAPI(title="fupin API", version="1", description="扶贫管理平台接口。认证：请求头 Authorization: Bearer <令牌>。")
