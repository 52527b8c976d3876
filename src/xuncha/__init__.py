"""Xuncha (巡察): a workbench for inspection and supervision work."""

__version__ = "0.1.0"
