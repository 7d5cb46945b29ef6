from .people import Person, PersonQuerySet
from .photos import Agency, PhotoCredit, PhotoCreditAgency
from .stories import (
    Article,
    ArticleQuerySet,
    Quote,
    QuoteQuerySet,
    Status,
    TaggedArticle,
)

__all__ = [
    "Agency",
    "Article",
    "ArticleQuerySet",
    "Person",
    "PersonQuerySet",
    "PhotoCredit",
    "PhotoCreditAgency",
    "Quote",
    "QuoteQuerySet",
    "Status",
    "TaggedArticle",
]
