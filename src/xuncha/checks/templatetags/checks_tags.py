from django import template

from xuncha.checks.workbook import mask as mask_id

register = template.Library()


@register.filter
def mask(value: str | None) -> str:
    """An ID number as shown by default: 430***********1234."""
    return mask_id(value or "")
