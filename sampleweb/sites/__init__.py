"""The sample web's sites, one CMS per module."""

from __future__ import annotations

from .anhui import AnhuiSite
from .base import Site
from .gkmlpt import GkmlptSite
from .hanweb import HanwebSite
from .legacy import LegacySite
from .mirror import MirrorSite
from .portal import PortalSite
from .trs import TrsSite

SITE_CLASSES: dict[str, type[Site]] = {
    cls.cms: cls for cls in (HanwebSite, TrsSite, AnhuiSite, GkmlptSite, LegacySite, MirrorSite, PortalSite)
}


def site_class(cms: str) -> type[Site]:
    """The ``Site`` subclass modelling a CMS platform."""
    return SITE_CLASSES[cms]
