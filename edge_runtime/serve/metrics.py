"""What `GET /metrics` reports, in the Prometheus text format (prometheus-client, one registry per
server so that several servers in one process do not mix)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from edge_runtime.webcam import FrameResult

READ_BUCKETS = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class ServeMetrics:
    """The server's counters, histograms and gauges."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.frames = Counter("edge_frames", "Camera frames read and classified.", registry=r)
        self.read_seconds = Histogram(
            "edge_read_seconds",
            "Time to read one frame's digits (find, segment, classify).",
            buckets=READ_BUCKETS,
            registry=r,
        )
        self.changes = Counter("edge_reading_changes", "Changes of the smoothed reading.", registry=r)
        self.rejections = Counter("edge_rejected_regions", "Regions the model rejected.", registry=r)
        self.fps = Gauge("edge_fps", "Camera loop frames per second.", registry=r)
        self.uploads = Counter(
            "edge_classify_requests", "POST /api/classify requests by status.", ["status"], registry=r
        )
        self.upload_seconds = Histogram(
            "edge_classify_seconds",
            "Time to decode and read an uploaded image.",
            buckets=READ_BUCKETS,
            registry=r,
        )
        self.errors = Counter("edge_errors", "Failed requests, by kind.", ["kind"], registry=r)
        self.clients = Gauge("edge_clients", "Connected stream clients, by stream.", ["stream"], registry=r)

    def count_frame(self, result: FrameResult) -> None:
        """Record one camera frame (a LiveFeed listener)."""
        self.frames.inc()
        self.read_seconds.observe(result.read_seconds)
        self.rejections.inc(len(result.reading.rejected))
        self.fps.set(result.fps)
        if result.changed:
            self.changes.inc()

    def text(self) -> bytes:
        """Every metric in the Prometheus text format."""
        return generate_latest(self.registry)
