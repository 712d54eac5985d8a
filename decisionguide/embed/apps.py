from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "decisionguide.embed"
    label = "embed"
    verbose_name = "Embedding"
