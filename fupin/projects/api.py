"""扶贫项目 API."""

from ninja import Router

router = Router()
