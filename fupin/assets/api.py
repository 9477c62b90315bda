"""扶贫项目资产 API."""

from ninja import Router

router = Router()
