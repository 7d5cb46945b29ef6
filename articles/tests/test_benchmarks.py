import pytest

from articles import benchmarks

from .factories import make_article, make_person

pytestmark = pytest.mark.django_db


def test_list_pages_are_timed_with_their_status_and_query_count():
    story = make_article(tags=1)
    story.people.add(make_person())
    pages = benchmarks.list_pages()
    timed = benchmarks.time_pages(pages.values(), repeat=2)
    assert set(timed) == set(pages.values())
    # Page 40 does not exist with one story; everything else answers.
    assert {path: status for path, (status, *_) in timed.items() if status != 200} == {
        pages["deep page"]: 404
    }
    assert all(
        queries > 0 and 0 < best <= median
        for _, queries, median, best in timed.values()
    )
    assert "sitemap index" in benchmarks.report(repeat=1)


def test_list_pages_are_measured_in_cpu_time():
    story = make_article(tags=1)
    story.people.add(make_person())
    spent = benchmarks.cpu_pages(["/", "/sitemap.xml"], requests=2, rounds=1)
    assert set(spent) == {"/", "/sitemap.xml"}
    assert all(ms > 0 for ms in spent.values())
    assert "sitemap index" in benchmarks.cpu_report(requests=1, rounds=1)


def test_an_empty_site_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="generate_demo"):
        benchmarks.list_pages()
