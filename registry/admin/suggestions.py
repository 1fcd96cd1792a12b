"""
Triage of the public's suggestions, and the "Needs attention" page.

From a suggestion a maintainer goes one click to the work it asks for:

- a suggestion about an existing record opens that record's change form, with
  the suggestion shown above the form (a correction is an edit of the record,
  recorded in its history; a second draft copy would have to be merged by hand);
- a suggestion about something missing offers "Create a draft …" for each kind
  of record: the add form opens as a draft, prefilled from the suggestion.

Saving the record from there marks the suggestion accepted and links it to the
record. Names and e-mail addresses of senders are shown here only.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext
from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from ..choices import SuggestionState
from ..models import Suggestion
from ..types import MODELS
from .attention import display_queryset, needs_attention


def _record_admin_url(suggestion, view="change"):
    ct = suggestion.content_type
    try:
        return reverse(f"admin:{ct.app_label}_{ct.model}_{view}", args=[suggestion.object_id])
    except NoReverseMatch:
        return None


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = ["reference", "state", "created_at", "concerns", "summary", "triaged_by"]
    list_display_links = ["reference"]
    list_filter = ["state", "content_type", "created_at"]
    search_fields = ["body", "source_urls", "name", "email", "triage_note"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["duplicate_of"]
    readonly_fields = [
        "reference",
        "created_at",
        "concerns",
        "body",
        "source_urls",
        "name",
        "email",
        "triaged_by",
        "next_steps",
    ]
    fieldsets = [
        (
            "What was sent",
            {"fields": ["reference", "created_at", "concerns", "body", "source_urls"]},
        ),
        ("Sender (never shown publicly)", {"fields": ["name", "email"]}),
        (
            "Triage",
            {
                "fields": [
                    "state",
                    "triage_note",
                    "duplicate_of",
                    "content_type",
                    "object_id",
                    "triaged_by",
                ]
            },
        ),
        ("Act on it", {"fields": ["next_steps"]}),
    ]
    actions = ["mark_accepted", "mark_rejected", "mark_duplicate"]

    def has_add_permission(self, request):
        # Suggestions come from the public form; maintainers edit records directly.
        return False

    def get_queryset(self, request):
        record_querysets = [display_queryset(model) for model in MODELS]
        return (
            super()
            .get_queryset(request)
            .select_related("content_type", "triaged_by")
            .prefetch_related(GenericPrefetch("record", record_querysets))
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                app_label="registry",
                model__in=[model._meta.model_name for model in MODELS],
            )
            kwargs["help_text"] = "The kind of record this suggestion concerns, if any."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if "state" in form.changed_data:
            obj.triaged_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="concerns")
    def concerns(self, obj):
        if obj.content_type_id is None or obj.object_id is None:
            return "Something missing from the register"
        record = obj.record
        url = _record_admin_url(obj)
        if record is None or url is None:
            return f"A {obj.content_type.name} that no longer exists (#{obj.object_id})"
        return format_html('<a href="{}">{}: {}</a>', url, obj.content_type.name, record)

    @admin.display(description="suggestion")
    def summary(self, obj):
        return Truncator(obj.body).words(20)

    @admin.display(description="next steps")
    def next_steps(self, obj):
        if obj.pk is None:
            return ""
        query = f"?suggestion={obj.pk}"
        url = _record_admin_url(obj) if obj.object_id and obj.content_type_id else None
        if url and obj.record is not None:
            return format_html(
                '<a class="button" href="{}{}">Correct “{}” with this suggestion beside it</a>',
                url,
                query,
                obj.record,
            )
        add_links = (
            (reverse(f"admin:registry_{m._meta.model_name}_add"), query, m._meta.verbose_name)
            for m in MODELS
        )
        links = format_html_join(
            " ", '<a class="button" href="{}{}">Create a draft {}</a>', add_links
        )
        return format_html("<p>{}</p>", links)

    def _mark(self, request, queryset, state):
        count = queryset.update(state=state, triaged_by=request.user)
        label = SuggestionState(state).label.lower()
        self.message_user(
            request, f"{count} {model_ngettext(self.opts, count)} marked {label}.", messages.SUCCESS
        )

    @admin.action(description="Mark accepted", permissions=["change"])
    def mark_accepted(self, request, queryset):
        self._mark(request, queryset, SuggestionState.ACCEPTED)

    @admin.action(description="Mark rejected", permissions=["change"])
    def mark_rejected(self, request, queryset):
        self._mark(request, queryset, SuggestionState.REJECTED)

    @admin.action(description="Mark duplicate", permissions=["change"])
    def mark_duplicate(self, request, queryset):
        self._mark(request, queryset, SuggestionState.DUPLICATE)

    # --- Needs attention -----------------------------------------------------

    def get_urls(self):
        return [
            path(
                "needs-attention/",
                self.admin_site.admin_view(self.needs_attention_view),
                name="registry_needs_attention",
            ),
            *super().get_urls(),
        ]

    def needs_attention_view(self, request):
        sections = needs_attention(request.user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Needs attention",
            "subtitle": None,
            "sections": sections,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/registry/needs_attention.html", context)
