from django.utils.text import slugify


def unique_slug(model, text, *, max_length=50, exclude_pk=None, allow_unicode=False):
    """Return a slug of text that no other row of model uses yet."""
    base = (
        slugify(text, allow_unicode=allow_unicode)[:max_length].strip("-") or "untitled"
    )
    slug, n = base, 2
    taken = model._default_manager.exclude(pk=exclude_pk)
    while taken.filter(slug=slug).exists():
        suffix = f"-{n}"
        slug, n = base[: max_length - len(suffix)] + suffix, n + 1
    return slug
