"""Issue 16 item 5: the report's drawings reach WeasyPrint as images served from memory (its C
XML parser instead of its Python HTML parser); the PDF draws every one of them, and the
fetcher serves nothing but them."""

import io

import pytest
from pypdf import PdfReader

from exports import renderers
from exports.report import charts_as_images, render_report, render_report_html


def test_every_drawing_becomes_an_image_of_the_same_svg(rounds):
    html = render_report_html(rounds[1])
    replaced, charts = charts_as_images(html)
    assert len(charts) == html.count("<svg") == 5
    assert "<svg" not in replaced
    assert replaced.count('<img src="chart:') == 5
    assert all(svg.startswith("<svg") and svg.endswith("</svg>") for svg in charts.values())
    assert all(svg in html for svg in charts.values())


def test_the_pdf_draws_the_charts_and_the_map(rounds):
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_report(rounds[1]))).pages
    )
    assert "Mål: 5 %" in text.replace("\xa0", " ")  # the target's label in the top-10 chart
    assert "Ingen værdi (0 elever)" in text  # the map's legend, drawn only inside the map


def test_the_chart_fetcher_serves_its_charts_and_refuses_everything_else():
    fetcher = renderers.ChartFetcher({"chart:0": "<svg></svg>"})
    assert fetcher("chart:0").read() == b"<svg></svg>"
    for url in ("chart:1", "file:///etc/passwd", "http://169.254.169.254/", "data:,x"):
        with pytest.raises(ValueError, match="refused"):
            fetcher(url)


def test_a_name_with_a_control_character_keeps_its_drawing_in_the_pdf(rounds):
    # html.escape keeps \x0b, which the HTML parser tolerated inline; as an SVG image it makes
    # the XML invalid and WeasyPrint would drop the whole drawing with only a warning.
    from reference.models import Municipality

    Municipality.objects.filter(code="101").update(name="Køben\x0bhavn")
    _html, charts = charts_as_images(render_report_html(rounds[1]))
    assert not any("\x0b" in svg for svg in charts.values())
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(render_report(rounds[1]))).pages
    )
    assert "Mål: 5 %" in text.replace("\xa0", " ")  # the top-10 chart, which names 101
