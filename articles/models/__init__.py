from .bylines import ArticleAuthor
from .corrections import Correction, CorrectionDeletionError, CorrectionQuerySet
from .former_addresses import FormerAddress
from .people import Person, PersonQuerySet
from .photos import Agency, PhotoCredit, PhotoCreditAgency
from .quotes import Quote, QuoteQuerySet
from .stories import Article, ArticleQuerySet, Status, TaggedArticle
from .versions import StaleVersionError, Versioned

__all__ = [
    "Agency",
    "Article",
    "ArticleAuthor",
    "ArticleQuerySet",
    "Correction",
    "CorrectionDeletionError",
    "CorrectionQuerySet",
    "FormerAddress",
    "Person",
    "PersonQuerySet",
    "PhotoCredit",
    "PhotoCreditAgency",
    "Quote",
    "QuoteQuerySet",
    "StaleVersionError",
    "Status",
    "TaggedArticle",
    "Versioned",
]
from . import (
    history,  # noqa: E402,F401  registers revision history
    text,  # noqa: E402,F401  keeps control characters out of stored text
)
