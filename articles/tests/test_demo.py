import io

import pytest
from django.core import checks
from django.core.management import CommandError, call_command
from django.test import Client

from articles.models import Article, Person, PhotoCredit, Quote

pytestmark = pytest.mark.django_db


def generate(**options):
    out = io.StringIO()
    call_command("generate_demo", stdout=out, **options)
    return out.getvalue()


def test_demo_content_is_reproducible_and_marked_as_demo():
    report = generate(articles=60, seed=7, photos=2)
    assert "60/60 stories" in report and "Created 60 demo stories (seed 7)." in report
    first = list(
        Article.objects.order_by("slug").values_list("headline", "slug", "published_at")
    )
    with pytest.raises(CommandError, match="exists already"):
        generate(articles=60, seed=7, photos=2)
    for model in (Article, PhotoCredit, Person):
        model.objects.all().delete()
    generate(articles=60, seed=7, photos=2)
    assert (
        list(
            Article.objects.order_by("slug").values_list(
                "headline", "slug", "published_at"
            )
        )
        == first
    )
    assert set(Article.objects.values_list("source", flat=True)) == {
        "Generated demo content"
    }


def test_demo_quotes_occur_in_their_stories_and_photos_are_real_files():
    generate(articles=40, photos=2)
    assert Quote.objects.count() == 80
    errors = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    assert [e.id for e in errors if e.id.startswith("articles.")] == []
    for credit in PhotoCredit.objects.all():
        assert credit.image and (credit.image_width, credit.image_height) == (
            1600,
            1000,
        )
        assert credit.credit_line.endswith("/Demo Wire")


def test_demo_stories_with_photos_render_responsive_images_and_are_searchable():
    generate(articles=30, photos=1)
    story = Article.objects.published().filter(lead_photo__isnull=False).first()
    page = Client().get(story.get_absolute_url()).content.decode()
    assert '<source type="image/webp"' in page and "Demo Wire" in page
    response = Client().get("/search/", {"q": story.headline.split()[0]})
    assert (
        story in response.context["object_list"]
        or response.context["paginator"].count > 10
    )


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        generate(articles=0)
