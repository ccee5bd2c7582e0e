"""`edge serve`: one camera loop, and a live page, an HTTP API and MQTT for any number of clients.

`loop` runs the camera in one thread (the same `webcam.run` as `edge webcam`) and keeps the latest
annotated frame and reading; `app` serves them (Starlette), `uploads` reads posted images, `metrics`
counts for Prometheus, `mqtt` publishes reading changes, and `server` ties them together under uvicorn,
with `protocol` (uvicorn's HTTP protocol with limits against idle and slow clients) and `addresses` (the
URLs it announces).
"""
