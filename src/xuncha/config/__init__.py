"""Django configuration of the workbench: settings (base / test / production), urls, wsgi."""
