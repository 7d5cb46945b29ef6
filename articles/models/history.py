"""What an article's revision history captures (django-reversion).

A revision of a story holds its quotes, its tags and its lead photo's credit,
so restoring one brings all of them back together. Corrections are not
followed: restoring an old revision must never remove one from the record.
"""

import reversion

from .photos import PhotoCredit, PhotoCreditAgency
from .quotes import Quote
from .stories import Article, TaggedArticle

reversion.register(Quote)
reversion.register(TaggedArticle)
reversion.register(PhotoCreditAgency)
reversion.register(PhotoCredit, follow=["agency_links"])
reversion.register(Article, follow=["quotes", "tagged_items", "lead_photo"])
