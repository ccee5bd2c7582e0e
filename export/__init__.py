"""Export stage: `.keras` → TFLite (float32, float16, dynamic, int8) with an accuracy gate."""
