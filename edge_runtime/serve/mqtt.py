"""Publish each change of the smoothed reading to an MQTT broker (the optional `mqtt` extra: paho-mqtt).

Topics, for a `--topic` of `edge/digits` (Home Assistant's MQTT discovery finds the sensor by itself):

    edge/digits/state          the reading's JSON (as GET /api/reading), retained, QoS 1, once per change
    edge/digits/availability   "online" / "offline" (the broker says "offline" if the Pi vanishes), retained
    homeassistant/sensor/edge_digits/number/config   the discovery record of the sensor, retained

While the broker is away, paho reconnects with back-off (1 s doubling to 30 s) and queues the changes
(QoS 1, at most `MAX_QUEUED`); on every (re)connection the current reading is published again, so a
broker restarted without persistence has the retained value back.
"""

from __future__ import annotations

import json
import os
import re
import threading

import ground
from edge_runtime.serve.loop import reading_json
from edge_runtime.webcam import FrameResult
from ground.errors import EdgeError

DEFAULT_PORT = 1883
DEFAULT_TOPIC = "edge/digits"
DISCOVERY_PREFIX = "homeassistant"
KEEPALIVE_S = 30
MIN_BACKOFF_S, MAX_BACKOFF_S = 1, 30
MAX_QUEUED = 1000  # changes kept while the broker is away (the newest is republished anyway)
QOS = 1
USERNAME_ENV, PASSWORD_ENV = "EDGE_MQTT_USERNAME", "EDGE_MQTT_PASSWORD"


def parse_broker(text: str) -> tuple[str, int]:
    """`HOST[:PORT]` → (host, port); EdgeError when malformed."""
    host, _, port = text.rpartition(":") if ":" in text else (text, "", str(DEFAULT_PORT))
    if not host or not re.fullmatch(r"[0-9]{1,5}", port) or not 0 < int(port) < 65536:
        raise EdgeError(f"--mqtt must be HOST or HOST:PORT, not {text!r}")
    return host, int(port)


def check_topic(topic: str) -> str:
    """`topic` if it can be published under (no wildcards, no empty levels), else EdgeError."""
    if not topic or any(c in topic for c in "#+\0") or "" in topic.split("/"):
        raise EdgeError(f"--topic must be levels like edge/digits, without wildcards, not {topic!r}")
    return topic


class MqttPublisher:
    """A paho client running in its own thread; `on_frame` (a LiveFeed listener) publishes changes."""

    def __init__(self, broker: str, topic: str = DEFAULT_TOPIC) -> None:
        try:
            from paho.mqtt.client import CallbackAPIVersion, Client
        except ImportError:
            raise EdgeError("--mqtt needs paho-mqtt: pip install 'edge-digits[mqtt]'") from None
        host, port = parse_broker(broker)
        self.topic = check_topic(topic)
        self.node = re.sub(r"[^A-Za-z0-9_-]", "_", self.topic)
        self._latest: str | None = None
        self._lock = threading.Lock()
        self.client = Client(CallbackAPIVersion.VERSION2, client_id=f"edge-digits-{self.node}")
        if os.environ.get(USERNAME_ENV):
            self.client.username_pw_set(os.environ[USERNAME_ENV], os.environ.get(PASSWORD_ENV))
        self.client.will_set(self.availability_topic, "offline", qos=QOS, retain=True)
        self.client.reconnect_delay_set(MIN_BACKOFF_S, MAX_BACKOFF_S)
        self.client.max_queued_messages_set(MAX_QUEUED)
        self.client.on_connect = self._on_connect
        self.client.connect_async(host, port, KEEPALIVE_S)
        self.client.loop_start()

    @property
    def state_topic(self) -> str:
        """Where the readings go."""
        return f"{self.topic}/state"

    @property
    def availability_topic(self) -> str:
        """ "online" while the server runs, "offline" after it (or the broker's will for it)."""
        return f"{self.topic}/availability"

    def discovery(self) -> tuple[str, dict]:
        """Home Assistant's MQTT discovery topic and record for the reading sensor."""
        record = {
            "name": "Digits",
            "unique_id": f"{self.node}_number",
            "state_topic": self.state_topic,
            "value_template": "{{ value_json.smoothed }}",
            "json_attributes_topic": self.state_topic,
            "availability_topic": self.availability_topic,
            "icon": "mdi:numeric",
            "device": {"identifiers": [self.node], "name": "edge-digits", "sw_version": ground.__version__},
        }
        return f"{DISCOVERY_PREFIX}/sensor/{self.node}/number/config", record

    def on_frame(self, result: FrameResult) -> None:
        """Publish `result` when its smoothed reading changed (called from the camera thread)."""
        if result.changed:
            with self._lock:
                self._latest = json.dumps(reading_json(result))
                self.client.publish(self.state_topic, self._latest, qos=QOS, retain=True)

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            return  # paho tries again with back-off
        topic, record = self.discovery()
        client.publish(topic, json.dumps(record), qos=QOS, retain=True)
        client.publish(self.availability_topic, "online", qos=QOS, retain=True)
        with self._lock:
            if self._latest is not None:
                client.publish(self.state_topic, self._latest, qos=QOS, retain=True)

    def close(self) -> None:
        """Say "offline", then disconnect (waiting briefly for what is queued to go out)."""
        info = self.client.publish(self.availability_topic, "offline", qos=QOS, retain=True)
        if self.client.is_connected():
            info.wait_for_publish(timeout=2)
        self.client.disconnect()
        self.client.loop_stop()
