"""Running the workbench as deployed: the waitress server behind `xuncha serve` (its
limits on slow and oversize requests) and the reverse-proxy configuration that the
documented deployment (docs/deploy.md) puts in front of it."""
