"""Guide Markdown to safe HTML.

Editors write Markdown in the admin and content files. It is converted with
Python-Markdown, links written `[words](page:slug)` are pointed at the guide's
linked page, and the result is cleaned with nh3 against a short allowlist, so
whatever an editor pastes (script tags, event handlers, `javascript:` links)
never reaches a visitor's browser.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from urllib.parse import urlsplit

import markdown
import nh3
from django.urls import get_script_prefix, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from decisionguide.decision.document import LINKED_PAGE_URL_PATTERN, GuideDocument

PAGE_SCHEME = "page:"
ALLOWED_TAGS = {
    "p",
    "ul",
    "ol",
    "li",
    "a",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "h3",
    "h4",
    "br",
    "hr",
}
# `rel` is only kept when it is exactly what `PageLinks` writes (see `_keep_attribute`).
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}}
URL_SCHEMES = {"http", "https", "mailto"}
# On every link to another site: it gets no handle on this page, nor its address.
EXTERNAL_REL = "noopener noreferrer"
# Markdown headings sit inside page sections (h2): a text's top heading
# level becomes h3 and the next ones h4, so the page outline never skips.
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
TOP_HEADING_LEVEL = 3
LAST_HEADING_LEVEL = 4

PageUrls = tuple[tuple[str, str], ...]
# fullmatch: unlike search with `$`, no trailing newline slips through.
SAFE_PAGE_URL = re.compile(LINKED_PAGE_URL_PATTERN)


def linked_page_url(doc: GuideDocument, slug: str) -> str:
    """Where a linked page lives: its own `url`, or its small page on this site.

    Raises LookupError for a slug the guide doesn't have; parse_document has
    already checked every reference a template follows.
    """
    page = doc.linked_page(slug)
    if page is None:
        raise LookupError(f"guide {doc.slug!r} has no linked page {slug!r}")
    if page.url and is_safe_page_url(page.url):
        return page.url
    return reverse("linked-page", args=[doc.slug, page.slug]) + doc.link_query


def is_safe_page_url(url: str) -> bool:
    """Whether a linked page's address may be linked to and redirected to.

    The document's own rule (absolute http(s) with a host, or a single-slash site
    path), checked again for documents that slipped past it, and Django's redirect
    check on top: a protocol-relative or backslashed path never sends visitors off-site.
    """
    if not SAFE_PAGE_URL.fullmatch(url):
        return False
    if is_external(url):
        host = urlsplit(url).netloc
        return bool(host) and url_has_allowed_host_and_scheme(url, allowed_hosts={host})
    return url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)


def render_markdown(text: str, doc: GuideDocument) -> SafeString:
    """Markdown from `doc` as sanitized HTML, with `page:` links resolved."""
    if not text or not text.strip():
        return mark_safe("")
    pages = tuple((page.slug, page.url) for page in doc.linked_pages)
    urls = _page_urls(doc.slug, pages, get_script_prefix(), doc.link_query)
    return mark_safe(_render(str(text), doc.slug, urls))


@lru_cache(maxsize=256)
def _page_urls(
    guide_slug: str, pages: tuple[tuple[str, str | None], ...], prefix: str, query: str
) -> PageUrls:
    # A page renders a dozen Markdown texts: reverse each linked page's URL once, not per
    # text. `prefix` (where the site is mounted) is in the key because reverse() uses it;
    # `query` keeps a draft preview's links in the preview.
    return tuple(
        (
            slug,
            url
            if url and is_safe_page_url(url)
            else reverse("linked-page", args=[guide_slug, slug]) + query,
        )
        for slug, url in pages
    )


@lru_cache(maxsize=2048)
def _render(text: str, guide_slug: str, page_urls: PageUrls) -> str:
    # Documents are immutable and the output depends only on these arguments
    # (`guide_slug` is there for the memo key), so a page rendered again, or the
    # result page showing the same text, reuses the HTML.
    converter = markdown.Markdown(
        # Of "extra", only fenced code produces tags on the allowlist.
        extensions=["fenced_code", "sane_lists", PageLinksExtension(dict(page_urls))],
        output_format="html",
    )
    html = converter.convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=_keep_attribute,
    )


def _keep_attribute(element: str, attribute: str, value: str) -> str | None:
    if attribute == "rel":
        return value if value == EXTERNAL_REL else None
    return value


def is_external(url: str) -> bool:
    """Whether a link leaves this site: a scheme (`HTTPS:`, `mailto:`) or a host of its own
    (`//elsewhere.example/`, which browsers also read from `/\\elsewhere` and `\\\\…`)."""
    address = url.strip().replace("\\", "/")
    parts = urlsplit(address)
    return bool(parts.scheme or parts.netloc or address.startswith("//"))


class PageLinks(Treeprocessor):
    """Resolve `page:` links, unwrap unknown ones, mark external links, shift headings."""

    def __init__(self, md: markdown.Markdown, page_urls: dict[str, str]) -> None:
        super().__init__(md)
        self.page_urls = page_urls

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, child in reversed(list(enumerate(parent))):
                if child.tag == "a":
                    self.fix_link(parent, index, child)
        shift_headings(root)

    def fix_link(self, parent: etree.Element, index: int, link: etree.Element) -> None:
        href = link.get("href", "")
        if href.startswith(PAGE_SCHEME):
            url = self.page_urls.get(href[len(PAGE_SCHEME) :])
            if url is None:
                # A page the guide doesn't have: keep the words, drop the link.
                unwrap(parent, index, link)
                return
            link.set("href", url)
            href = url
        if is_external(href):
            link.set("rel", EXTERNAL_REL)


def shift_headings(root: etree.Element) -> None:
    headings = [element for element in root.iter() if element.tag in HEADINGS]
    if not headings:
        return
    shift = TOP_HEADING_LEVEL - min(int(heading.tag[1]) for heading in headings)
    for heading in headings:
        heading.tag = f"h{min(int(heading.tag[1]) + shift, LAST_HEADING_LEVEL)}"


def unwrap(parent: etree.Element, index: int, element: etree.Element) -> None:
    """Replace `element` by its text and children, keeping the text around it."""
    leading = (element.text or "") + ("" if len(element) else (element.tail or ""))
    children = list(element)
    if children:
        children[-1].tail = (children[-1].tail or "") + (element.tail or "")
    if index == 0:
        parent.text = (parent.text or "") + leading
    else:
        before = parent[index - 1]
        before.tail = (before.tail or "") + leading
    parent.remove(element)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


class PageLinksExtension(Extension):
    def __init__(self, page_urls: dict[str, str]) -> None:
        super().__init__()
        self.page_urls = page_urls

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After "inline" (priority 20), when links exist as elements.
        md.treeprocessors.register(PageLinks(md, self.page_urls), "page_links", 15)
