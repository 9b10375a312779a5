"""GeoReport v2's XML form of an answer: the JSON answer's fields as elements under the standard root.

``<services><service>…</service></services>``, ``<service_requests><request>…</request></service_requests>``,
``<service_definition>…<attributes><attribute>…<values><value>…`` and ``<errors><error>…``: a list is the element
named for its items (``attributes`` holds ``attribute``s), true and false are written so, and null is empty.
"""

from xml.etree import ElementTree as ET  # noqa: S405 - we only write XML, never parse it

#: The root element of a list answer, and the element of each item.
ROOTS = {"services": "service", "service_requests": "request", "errors": "error"}


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(element, key), inner)
    elif isinstance(value, list):
        item = element.tag.removesuffix("s")
        for inner in value:
            _fill(ET.SubElement(element, item), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def encode(root: str, data) -> bytes:
    """``data`` (a list of items for the roots in ``ROOTS``, else one object) as a GeoReport v2 XML document."""
    element = ET.Element(root)
    if root in ROOTS:
        for item in data:
            _fill(ET.SubElement(element, ROOTS[root]), item)
    else:
        _fill(element, data)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)
