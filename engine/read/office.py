"""Shared office-file plumbing: a safe XML parser and the custom document properties."""
from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from .safety import Package

# Entities are never resolved, nothing is fetched, huge trees are refused; DTDs were refused already.
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                              remove_comments=True)

CUSTOM_PART = "docProps/custom.xml"
NS_CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"

# The identity every issued form carries (custom document properties).
PROP_FORM, PROP_CASE, PROP_PACK, PROP_PERIOD = "docflow_form", "docflow_case", "docflow_pack", "docflow_period"
# ... its issue serial (the occurrence: 2, 3... when a step was taken again) and the signature over all of it
PROP_SERIAL, PROP_SIGNATURE = "docflow_serial", "docflow_signature"


def parse_xml(blob: bytes) -> etree._Element:
    return etree.fromstring(blob, SAFE_PARSER)


def custom_properties(pkg: Package) -> dict[str, str]:
    blob = pkg.parts.get(CUSTOM_PART)
    if not blob:
        return {}
    try:
        root = parse_xml(blob)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for prop in root.iter(f"{{{NS_CUSTOM}}}property"):
        name = prop.get("name")
        if name:
            out[name] = "".join(prop.itertext()).strip()
    return out


def custom_properties_xml(props: dict[str, str]) -> bytes:
    """docProps/custom.xml holding ``props`` as text properties (written as a string: it is made per document)."""
    items = "".join(f'<property fmtid="{FMTID}" pid="{pid}" name={quoteattr(name)}><vt:lpwstr>{escape(value)}'
                    "</vt:lpwstr></property>" for pid, (name, value) in enumerate(props.items(), start=2))
    return (f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
            f'<Properties xmlns="{NS_CUSTOM}" xmlns:vt="{NS_VT}">{items}</Properties>').encode()


def with_custom_properties(data: bytes, props: dict[str, str]) -> bytes:
    """A copy of an office package whose docProps/custom.xml holds ``props`` (the package must have the part)."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, custom_properties_xml(props) if item.filename == CUSTOM_PART else zin.read(item))
    return out.getvalue()
