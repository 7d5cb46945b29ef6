"""The editors' admin, one module per concept as in articles/models/.

Importing the modules registers their ModelAdmins; admin.autodiscover()
imports this package.
"""

from django.contrib import admin

from . import (  # noqa: F401  registers the ModelAdmins
    corrections,
    former_addresses,
    people,
    photos,
    stories,
    tags,
)

admin.site.site_header = "Newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Desk"
