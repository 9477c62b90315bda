from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "fupin.assessment"
    label = "assessment"
    verbose_name = "考核评估抽样与三率一度"
