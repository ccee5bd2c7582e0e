"""On-device runtime: classify digits with a TFLite model (numpy, OpenCV, LiteRT; no TensorFlow)."""
