"""The independent certificate checker: exact arithmetic, the model and the exact simulator only.

Nothing here imports a solver, an encoder or an analysis; a certificate written by
:mod:`verisnn.analyses.regions.certificate` is re-checked from the file alone (docs/regions.md).
"""

from verisnn.checker.files import PART_FORMAT, check_file
from verisnn.checker.reading import NotCertificate, StepFailed
from verisnn.checker.regions import FORMATS, PWL_FORMAT, REGIONS_FORMAT, Checked, check_certificate

__all__ = ["FORMATS", "PART_FORMAT", "PWL_FORMAT", "REGIONS_FORMAT", "Checked", "NotCertificate", "StepFailed",
           "check_certificate", "check_file"]
