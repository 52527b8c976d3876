"""Official documents (公文) in the GB/T 9704-2012 format: pure Python, no Django.

- ``layout``: the page, styles, masthead, page numbers and 版记 built with python-docx;
- ``templates``: the one shipped docxtpl template, rendering, validation of offices' templates;
- ``verify``: reads a DOCX and checks every format parameter;
- ``pdf``: LibreOffice headless conversion;
- ``fonts``: which named fonts this machine lacks and what replaces them.
"""
