"""Panels other apps add to a page without the page's app knowing them (the household file shows procedures,
monitoring and comparison; the monitored household's page shows assistance): the page's app sits below them
(docs/architecture.md, "Layers"). An app registers a template in its AppConfig.ready(); the template is included
with the page's context."""


class Panels:
    def __init__(self):
        self.templates: list[str] = []

    def register(self, template_name: str) -> None:
        if template_name not in self.templates:
            self.templates.append(template_name)

    def __iter__(self):
        return iter(self.templates)
