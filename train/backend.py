"""TensorFlow, imported once and quietly: its start-up log lines ignore TF_CPP_MIN_LOG_LEVEL."""

import os

from ground.quiet import native_output_silenced

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
with native_output_silenced():
    import tensorflow as tf

    tf.config.list_physical_devices()  # device discovery logs too (no CUDA on most laptops)
