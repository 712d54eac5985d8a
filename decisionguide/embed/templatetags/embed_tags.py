from django import template
from django.utils.html import format_html

from decisionguide.embed.tokens import TOKEN_FIELD, make_token

register = template.Library()


@register.simple_tag
def embed_form_token(slug: str) -> str:
    """The hidden input an embed form sends instead of the CSRF token (see tokens.py)."""
    return format_html('<input type="hidden" name="{}" value="{}">', TOKEN_FIELD, make_token(slug))
