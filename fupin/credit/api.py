"""扶贫小额信贷 API."""

from ninja import Router

router = Router()
