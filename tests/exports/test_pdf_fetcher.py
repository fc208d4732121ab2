"""Issue 12 item 9: a PDF never fetches anything — not a local file, not another host — even
if a template or a user's text were to contain a reference."""

import pytest

from exports import report
from tests.factories import make_round

HOSTILE = (
    '<html><body><img src="file:///etc/passwd">'
    '<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">'
    '<img src="municipalities.geojson"><p>x</p></body></html>'
)


@pytest.mark.django_db
def test_making_the_report_pdf_fetch_a_file_or_a_host_is_refused(monkeypatch):
    import weasyprint

    asked, used = [], []

    class Recorder:
        """Wraps whatever fetcher the code passes (WeasyPrint's own when none) and notes
        every URL asked for."""

        _fail_on_errors = False

        def __init__(self, fetcher):
            used.append(fetcher or weasyprint.urls.URLFetcher())
            self.fetcher = used[-1]

        def __call__(self, url, *a, **k):
            asked.append(url)
            return self.fetcher(url, *a, **k)

    class Recording(weasyprint.HTML):
        def __init__(self, *args, url_fetcher=None, **kwargs):
            super().__init__(*args, url_fetcher=Recorder(url_fetcher), **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", Recording)
    monkeypatch.setattr(report, "render_report_html", lambda round_, anonymised=False: HOSTILE)

    pdf = report.render_report(make_round(codes=["360"]))

    assert pdf.startswith(b"%PDF")
    assert asked  # WeasyPrint did ask for the resources …
    for url in asked:  # … and every one of them is refused by the fetcher the report used
        with pytest.raises(ValueError, match="refused"):
            used[0](url)
