"""扶贫资金 API."""

from ninja import Router

router = Router()
