"""Reading the digits of an image, as a chain of stages (`pipeline.read_digits`):

ink → find → recognise → rows → decide → separators → report, every value they decide by in one
`policy.ReadingPolicy`, and every coordinate space mapped by one `geometry.Transform`. Above the chain,
`orientation.read_any_way_up` reads an image turned back a quarter or a half round too.
"""

from edge_runtime.reading.pipeline import read_digits
from edge_runtime.reading.policy import ReadingPolicy
from edge_runtime.reading.report import DigitPrediction, Reading, write_crops

__all__ = ["DigitPrediction", "Reading", "ReadingPolicy", "read_digits", "write_crops"]
