"""`edge serve --mqtt` against a real broker (Debian's mosquitto, started by the test on a local port): a
reading change arrives as one retained JSON message, and stopping and restarting the broker loses no
later change."""

from __future__ import annotations

import json
import queue
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime

import numpy as np
import pytest

from edge_runtime.reading import DigitPrediction, Reading
from edge_runtime.webcam import FrameResult
from tests.serve_process import MODEL, digit_video, edge_serve

MOSQUITTO = shutil.which("mosquitto") or (shutil.which("mosquitto", path="/usr/sbin:/sbin") or None)
mqtt_client = pytest.importorskip(
    "paho.mqtt.client", reason="paho-mqtt not installed: pip install -e '.[mqtt]'"
)
pytestmark = pytest.mark.skipif(
    MOSQUITTO is None, reason="no mosquitto: scripts/test.sh installs it as root (apt-get install mosquitto)"
)
TOPIC = "test/digits"
WAIT_S = 20


class Broker:
    """mosquitto on 127.0.0.1:`port`, persisting to `folder`; stop and start it again at will."""

    def __init__(self, folder) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.config = folder / "mosquitto.conf"
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {folder}/\n"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise AssertionError("mosquitto did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def broker(tmp_path):
    broker = Broker(tmp_path)
    broker.start()
    yield broker
    broker.stop()


class Subscriber:
    """A paho client collecting (topic, payload, retained) messages; persistent session with `client_id`."""

    def __init__(self, port: int, topic: str, client_id: str = "", persistent: bool = False) -> None:
        self.messages: queue.Queue = queue.Queue()
        self.client = mqtt_client.Client(
            mqtt_client.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=not persistent
        )
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_message = lambda c, u, m: self.messages.put((m.topic, m.payload.decode(), m.retain))
        subscribed = threading.Event()
        self.client.on_subscribe = lambda c, u, mid, codes, p: subscribed.set()
        self.client.reconnect_delay_set(0.2, 0.5)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        assert subscribed.wait(WAIT_S), "no subscription"

    def next(self, timeout: float = WAIT_S) -> tuple[str, str, bool]:
        return self.messages.get(timeout=timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def change(index: int, number: str) -> FrameResult:
    """A frame whose smoothed reading changed to `number`."""
    digit = DigitPrediction((0, 0, 10, 10), number, 0.9, [(number, 0.9)], np.zeros((28, 28), np.uint8))
    time_ = datetime(2026, 11, 28, tzinfo=UTC)
    return FrameResult(index, np.zeros((4, 4, 3), np.uint8), Reading([digit]), number, 0.9, 10.0, time_, True)


def test_a_change_is_one_retained_json_message_and_a_broker_restart_loses_none(broker):
    from edge_runtime.serve.mqtt import MqttPublisher

    publisher = MqttPublisher(f"127.0.0.1:{broker.port}", TOPIC)
    state = f"{TOPIC}/state"
    listener = Subscriber(broker.port, state, "test-listener", persistent=True)
    try:
        deadline = time.monotonic() + WAIT_S
        while not publisher.client.is_connected() and time.monotonic() < deadline:
            time.sleep(0.05)
        publisher.on_frame(change(1, "4"))
        publisher.on_frame(replace(change(2, "4"), changed=False))  # not a change: not sent
        assert json.loads(listener.next()[1])["frame"] == 1
        late = Subscriber(broker.port, state)
        topic, payload, retained = late.next()
        assert topic == state and retained and json.loads(payload)["smoothed"] == "4"
        late.close()

        broker.stop()
        for index, number in ((3, "7"), (4, "1"), (5, "9")):  # while the broker is away
            publisher.on_frame(change(index, number))
        broker.start()
        received = set()
        while not {3, 4, 5} <= received:  # each change made while it was away (the newest maybe twice)
            received.add(json.loads(listener.next()[1])["frame"])
        # the broker may still be storing the replayed changes: the retained one settles on the newest
        deadline, smoothed = time.monotonic() + WAIT_S, None
        while smoothed != "9" and time.monotonic() < deadline:
            retained_after = Subscriber(broker.port, state)
            topic, payload, retained = retained_after.next()
            retained_after.close()
            assert retained
            smoothed = json.loads(payload)["smoothed"]
        assert smoothed == "9"
    finally:
        listener.close()
        publisher.close()


def test_edge_serve_publishes_the_reading_and_goes_offline_on_exit(broker, tmp_path):
    video = digit_video(tmp_path / "clip.avi", [4])
    watcher = Subscriber(broker.port, f"{TOPIC}/#")
    discovery = Subscriber(broker.port, "homeassistant/sensor/test_digits/number/config")
    try:
        with edge_serve(
            "-m", str(MODEL), "--source", str(video), "--mqtt", f"127.0.0.1:{broker.port}", "--topic", TOPIC
        ):
            seen = {}
            deadline = time.monotonic() + WAIT_S
            while (
                not {f"{TOPIC}/state", f"{TOPIC}/availability"} <= set(seen) and time.monotonic() < deadline
            ):
                topic, payload, _ = watcher.next()
                seen[topic] = payload
            assert seen[f"{TOPIC}/availability"] == "online"
            reading = json.loads(seen[f"{TOPIC}/state"])
            assert reading["smoothed"] == "4" and reading["digits"][0]["digit"] == "4"
            record = json.loads(discovery.next()[1])
            assert record["state_topic"] == f"{TOPIC}/state" and "smoothed" in record["value_template"]
        while (message := watcher.next())[0] != f"{TOPIC}/availability" or message[1] != "offline":
            pass
    finally:
        watcher.close()
        discovery.close()
