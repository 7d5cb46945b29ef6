"""Django's MessageMiddleware, with the message storage made on first use.

Django's makes the storage (a cookie and a session storage behind a fallback)
for every request; only the admin ever adds or shows a message, so a reader's
page made it for nothing, about 2% of an uncached story page. Here the storage
is made when a view, template or context processor first touches it, and a
request that never did has nothing to store.
"""

from django.contrib.messages import middleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty


class MessageMiddleware(middleware.MessageMiddleware):
    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never used: nothing queued, nothing read
        return super().process_response(request, response)
