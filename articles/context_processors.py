from django.conf import settings


def site(request):
    """The site's name, for the masthead and page titles."""
    return {"site_name": settings.SITE_NAME}
