"""`maintbot console` shows where a shared file went and saves it where a newcomer can open it."""

from __future__ import annotations

from PIL import Image

from bot.charts import HEIGHT, WIDTH
from tests.slack.test_console import run

SESSION = """\
/maint provider add Cloud channel=<#CCLOUD0001|cloud> stats=<#CSTATS0001|stats>
/maint stats 2026-11-01 2026-11-30 chart
/summary
/quit
"""


def test_charts_are_shown_where_they_went_and_saved_as_png_files(monkeypatch, tmp_path):
    output = run(monkeypatch, tmp_path, SESSION)

    files = tmp_path / "console-files"
    assert "── file shared in a direct message from maintbot (DCONSOLE) ──" in output
    assert f"saved to {files / 'maintenance-2026-11-01-2026-11-30.png'}" in output
    assert "── file shared in #CSTATS0001 ──" in output
    (summary_chart,) = files.glob("maintenance-week-*-cloud.png")
    assert f"saved to {summary_chart} — open it with any image viewer" in output
    for path in files.iterdir():
        with Image.open(path) as image:
            assert (image.format, image.size) == ("PNG", (WIDTH, HEIGHT))
            assert image.text["Title"].startswith("Maintenance")
