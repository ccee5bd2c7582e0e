"""The `--quantize all` comparison: one table as text, report.json, report.md and a chart PNG."""

from __future__ import annotations

import io
import json
from pathlib import Path

from export.modes import REFERENCE
from export.pipeline import ExportResult
from ground.atomic import atomic_write_bytes, atomic_write_text

REPORT_JSON, REPORT_MD, REPORT_PNG = "report.json", "report.md", "report.png"
COLUMNS = (  # (key, header, format)
    ("mode", "mode", "{}"),
    ("size_kb", "size KB", "{:.1f}"),
    ("size_vs_float32_pct", "vs float32", "{:.0f}%"),
    ("accuracy_pct", "accuracy %", "{:.2f}"),
    ("drop_pts", "drop pt", "{:+.2f}"),
    ("agreement_pct", "agreement %", "{:.2f}"),
    ("latency_ms", "latency ms", "{:.3f}"),
    ("status", "gate", "{}"),
)


def comparison_rows(results: list[ExportResult]) -> list[dict]:
    """One row per mode: size, size relative to the float32 reference, accuracy, drop, agreement,
    latency, verdict."""
    float32 = next((r.size_bytes for r in results if r.mode is REFERENCE), None)
    rows = []
    for r in results:
        v = r.validation
        rows.append(
            {
                "mode": r.mode.name,
                "file": r.file_name if r.path else None,
                "size_kb": r.size_bytes / 1024,
                "size_vs_float32_pct": 100 * r.size_bytes / float32 if float32 else None,
                "accuracy_pct": v.tflite_accuracy_pct if v else None,
                "drop_pts": v.drop_pts if v else None,
                "agreement_pct": v.agreement_pct if v else None,
                "latency_ms": r.latency_ms,
                "status": _verdict(r),
            }
        )
    return rows


def _verdict(result: ExportResult) -> str:
    if result.accepted:
        return result.status
    return "failed (kept: --force)" if result.path else "rejected"


def format_table(rows: list[dict], markdown: bool = False) -> str:
    """The rows as an aligned text table, or as a Markdown table."""
    headers = [header for _, header, _ in COLUMNS]
    cells = [[_cell(row[key], fmt) for key, _, fmt in COLUMNS] for row in rows]
    if markdown:
        lines = [headers, ["---"] * len(headers), *cells]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)
    lines = [headers, *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(headers))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines)


def _cell(value, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def write_report(results: list[ExportResult], out_dir: Path) -> list[Path]:
    """Write report.json, report.md and report.png into `out_dir`; returns their paths."""
    rows = comparison_rows(results)
    first, validation, gate = results[0].manifest, results[0].validation, results[0].gate
    context = {
        "source_model": first["source_model"],
        "test_images": validation.samples if validation else None,
        "float_accuracy_pct": validation.float_accuracy_pct if validation else None,
        "gate": gate and {"max_drop_pts": gate.max_drop, "min_agreement_pct": gate.min_agreement},
        "versions": first["versions"],
    }
    out_dir = Path(out_dir)
    paths = [out_dir / REPORT_JSON, out_dir / REPORT_MD, out_dir / REPORT_PNG]
    atomic_write_text(paths[0], json.dumps({**context, "modes": rows}, indent=2) + "\n")
    atomic_write_text(paths[1], _markdown(rows, context))
    plot_comparison(rows, paths[2], context["float_accuracy_pct"])
    return paths


def _markdown(rows: list[dict], context: dict) -> str:
    source = context["source_model"]["file"]
    lines = [
        f"# Export report: {source}",
        "",
        f"Float Keras model: {_cell(context['float_accuracy_pct'], '{:.2f}')}% on "
        f"{context['test_images']} MNIST test images. Latency: one image, median, 1 thread.",
        _gate_line(context["gate"]),
        "",
        format_table(rows, markdown=True),
        "",
    ]
    return "\n".join(lines)


def _gate_line(gate: dict | None) -> str:
    if gate is None:
        return "Not checked against the float model."
    return f"Gate: drop <= {gate['max_drop_pts']} pt and agreement >= {gate['min_agreement_pct']}%."


def plot_comparison(rows: list[dict], path: Path, float_accuracy: float | None = None) -> None:
    """Two bar charts side by side: file size (KB) and test accuracy (%) per mode, values on the bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = [r["mode"] for r in rows]
    accuracies = [r["accuracy_pct"] or 0.0 for r in rows]
    fig, (size_ax, acc_ax) = plt.subplots(1, 2, figsize=(9, 3.5))
    size_ax.bar_label(size_ax.bar(modes, [r["size_kb"] for r in rows], color="tab:blue"), fmt="%.0f")
    size_ax.set_title("File size (KB)")
    acc_ax.bar_label(acc_ax.bar(modes, accuracies, color="tab:green"), fmt="%.2f")
    if float_accuracy is not None:
        acc_ax.axhline(float_accuracy, color="black", linestyle="--", linewidth=1, label="float Keras")
        acc_ax.legend(loc="lower right")
    low = min([a for a in accuracies if a] + ([float_accuracy] if float_accuracy else []), default=0.0)
    acc_ax.set_ylim(max(0.0, low - 1.0), min(100.0, max(accuracies + [low]) + 0.5))
    acc_ax.set_title("Test accuracy (%)")
    for ax in (size_ax, acc_ax):
        ax.grid(True, axis="y", alpha=0.3)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=100)
    plt.close(fig)
    atomic_write_bytes(path, png.getvalue())
