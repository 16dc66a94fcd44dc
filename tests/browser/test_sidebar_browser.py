"""The DigitalHub pipelines panel in the JupyterLab left sidebar."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sidebar_icon_opens_the_pipelines_panel(lab) -> None:
    lab.open_lab()
    tab = lab.page.locator('.jp-SideBar.jp-mod-left .lm-TabBar-tab[data-id="dhhera-pipelines"]')
    expect(tab).to_have_attribute("title", "DigitalHub pipelines")

    tab.click()

    panel = lab.page.locator("#dhhera-pipelines")
    expect(panel).to_be_visible()
    expect(panel.locator(".dhhera-PipelinesPanel-header")).to_have_text("DigitalHub pipelines")
    expect(panel.locator(".dhhera-PipelinesPanel-status")).to_have_text("Connecting…")
