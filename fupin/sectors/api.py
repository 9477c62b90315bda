"""行业政策 API."""

from ninja import Router

router = Router()
