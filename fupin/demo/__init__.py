"""The demo county: generated region tree, registry, history, logins and poverty lines (``fupin demo``)."""
