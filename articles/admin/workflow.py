import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import ngettext

from ..conflicts import refuse_stale_action, refused_change_page
from ..forms import ScheduleForm
from ..models import StaleVersionError
from ..models.shared import may_change_shared


class WorkflowActionsMixin:
    """ArticleAdmin's story-list actions that move stories along the desk, and
    what a save of the change form tells the desk about where the story stands."""

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    def response_add(self, request, obj, post_url_continue=None):
        request.saved_story = obj
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        request.saved_story = obj
        return super().response_change(request, obj)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        # Django's "was added/changed successfully" offers no hook of its own.
        # A story saved as Published with its time still to come is hidden
        # until then: say so, or the editor takes the save for its publication.
        story = getattr(request, "saved_story", None)
        if level == messages.SUCCESS and story and story.publication_note:
            message = format_html("{} {}", message, story.publication_note)
        super().message_user(request, message, level, *args, **kwargs)

    def apply_to_each(self, request, queryset, verb, change):
        """Call change(article) on each story, report refusals, record one revision."""
        done = 0
        for article in queryset:
            try:
                change(article)
            except StaleVersionError:
                refuse_stale_action(self, request, article)
            except ValidationError as error:
                refused = "; ".join(error.messages)
                self.message_user(
                    request, f"“{article}” was not {verb}: {refused}", messages.ERROR
                )
            else:
                done += 1
        if done:
            reversion.set_comment(f"{verb.capitalize()} from the story list.")
        self.message_user(
            request,
            ngettext(f"%d story {verb}.", f"%d stories {verb}.", done) % done,
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(
        permissions=["change"], description="Submit selected stories for review"
    )
    def submit_selected_for_review(self, request, queryset):
        def submit(article):
            if not article.editable_by(request.user):
                raise ValidationError("you may not change this story")
            article.submit_for_review(by=request.user)

        self.apply_to_each(request, queryset, "submitted for review", submit)

    @admin.action(permissions=["publish"], description="Schedule selected stories…")
    def schedule_selected(self, request, queryset):
        form = ScheduleForm(request.POST if "schedule" in request.POST else None)
        if form.is_valid():
            when = form.cleaned_data["publish_at"]
            self.apply_to_each(
                request,
                queryset,
                "scheduled",
                lambda article: article.schedule(when, by=request.user),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Schedule stories",
            "opts": self.opts,
            "form": form,
            "stories": queryset,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(
            request, "admin/articles/article/schedule.html", context
        )

    @admin.action(permissions=["publish"], description="Publish selected stories")
    def publish_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            "published",
            lambda article: article.publish(by=request.user),
        )

    @admin.action(
        permissions=["publish"],
        description="Unpublish selected stories (back to draft)",
    )
    def unpublish_selected(self, request, queryset):
        self.apply_to_each(
            request,
            queryset,
            "unpublished",
            lambda article: article.unpublish(by=request.user),
        )


class SharedRecordAdminMixin:
    """People, photo credits, agencies and tags, which many stories show: once a
    story showing one has gone out, only an editor may change it (models/shared.py).

    A reporter then sees the record read-only, and is told why.
    """

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_shared(request.user, obj))

    def held_back(self, request, record):
        """Whether the user could change record but for the story that shows it."""
        return (
            record is not None
            and super().has_change_permission(request, record)
            and not may_change_shared(request.user, record)
        )

    def held_back_reason(self):
        return (
            f"A published or scheduled story shows this {self.opts.verbose_name}, "
            "so only an editor can change it"
        )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except PermissionDenied:
            # Django refuses a POST it may not save before reading the form. A
            # reporter who opened the record before a story showing it went out
            # gets back what they typed (people and credits already have, from
            # VersionedAdminMixin: Versioned.taken_from).
            record = object_id and self.get_object(request, unquote(object_id))
            if request.method != "POST" or not self.held_back(request, record):
                raise
            return refused_change_page(
                self,
                request,
                record,
                f"{self.held_back_reason()}: your save was refused and nothing "
                "was written. Everything you sent is below for you to copy; ask an "
                "editor to make the change.",
            )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.warn_if_held_back(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # A revert page (RecordHistoryAdmin) is read-only for the same reason.
        self.warn_if_held_back(request, object_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def warn_if_held_back(self, request, object_id):
        """Say why a page shows the record read-only, where that is why."""
        if request.method == "GET":
            if self.held_back(request, self.get_object(request, unquote(object_id))):
                # Django's admin shows INFO as a success, with a tick.
                self.message_user(
                    request, f"{self.held_back_reason()}.", messages.WARNING
                )


class SharedRecordInlineMixin:
    """An inline of a shared record (a credit's agencies): read-only whenever
    its record is (SharedRecordAdminMixin)."""

    def _record_editable(self, request, obj):
        return obj is None or may_change_shared(request.user, obj)

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and self._record_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and self._record_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and self._record_editable(request, obj)
