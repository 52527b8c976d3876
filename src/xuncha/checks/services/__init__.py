"""Every write of the cross-check workbench: datasets, runs, verification, findings.

The engine (:mod:`xuncha.crosscheck`) does the checking; this package keeps what the
workbench adds: who may do it, the files, the job's state, and the suspects in the
database so that they can be filtered, verified and turned into findings. One module
per concern; callers import the public names from here.
"""

from .datasets import (
    PREVIEW_CACHE,
    clean_file_name,
    dataset_map,
    dataset_preview,
    dataset_retire,
    dataset_upload,
    dataset_upload_files,
)
from .jobs import RunParams, run_execute, run_folder, run_start, runs_reap
from .rollup import suspects_to_finding
from .userrules import user_rule_retire, user_rule_upload
from .verification import (
    ImportReport,
    check_verification,
    suspect_verify,
    unmasking_log,
    verification_carry,
    verification_import,
)

__all__ = [
    "PREVIEW_CACHE",
    "ImportReport",
    "RunParams",
    "check_verification",
    "clean_file_name",
    "dataset_map",
    "dataset_preview",
    "dataset_retire",
    "dataset_upload",
    "dataset_upload_files",
    "run_execute",
    "run_folder",
    "run_start",
    "runs_reap",
    "suspect_verify",
    "suspects_to_finding",
    "unmasking_log",
    "user_rule_retire",
    "user_rule_upload",
    "verification_carry",
    "verification_import",
]
