"""What one page run works from: the words of its dataset and language, and the view it shows (no Streamlit)."""

from __future__ import annotations

from dataclasses import dataclass

from ibcr_data import Choices, Filters, Ignored, View
from ibcr_present import text
from ibcr_present.words import Words
from ibcr_updates import DataSource

from .link import Options, ViewState


@dataclass(frozen=True)
class DataKey:
    """Which data a page shows and every cache keys on: the source (folder, version, fingerprint) and whose view.

    The audience comes from the session's sign-in alone (ibcr_ui.session), never from a link.
    """

    source: DataSource
    audience: str = "public"

    @property
    def fingerprint(self) -> str:
        return f"{self.source.fingerprint}-{self.audience}"


@dataclass(frozen=True, kw_only=True)
class Context(Words):
    """A page run: its Words (data, language, names) and the view from the link."""

    choices: Choices
    state: ViewState
    view: View
    ignored: tuple[Ignored, ...] = ()
    page: str
    key: DataKey  # which data, which version, whose view: resolved once for the run

    @property
    def source(self) -> DataSource:
        return self.key.source

    @property
    def audience(self) -> str:
        return self.key.audience

    @property
    def fingerprint(self) -> str:
        """Keys a cached section: changes with the data's files and with the audience."""
        return self.key.fingerprint

    @property
    def filters(self) -> Filters:
        return self.state.filters

    @property
    def options(self) -> Options:
        return self.state.options

    def describe(self) -> str:
        """The human line of this view ("42 engagements in 12 countries · West Africa · 2012–2020")."""
        return text.describe(self, self.view, self.choices)

    def summary_sentence(self) -> str:
        return text.summary_sentence(self, self.view, self.choices)
