"""What the bench commands measured: one printed line per measure (value, target, verdict) and
bench/results.json, which `make bench` leaves for bench/README.md and for comparing runs."""

import datetime
import json
import os
import platform
import resource
from pathlib import Path

from django.conf import settings

RESULTS = Path(os.environ.get("BENCH_RESULTS") or settings.BASE_DIR / "bench" / "results.json")


def _machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            model = next(
                (line.split(":", 1)[1].strip() for line in info if "model name" in line), ""
            )
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": model,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "python": platform.python_version(),
    }


def record(
    stdout, key: str, label: str, value: float, unit: str, *, target=None, below=True, size=None
) -> bool | None:
    """Print the measure and add it to the results file; True/False: target met or not, None:
    no target (a figure for information)."""
    passed = None if target is None else (value < target if below else value >= target)
    verdict = {None: "info", True: "OK", False: "ÉCHEC"}[passed]
    wanted = "" if target is None else f"{'<' if below else '≥'} {target:g} {unit}"
    digits = 2 if abs(value) < 10 else 1
    stdout.write(f"{label:<62} {value:>10.{digits}f} {unit:<3} {wanted:<12} {verdict}")
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results.setdefault("measures", {})[key] = {
        "label": label,
        "value": round(value, 2),
        "unit": unit,
        "target": target,
        "target_is_upper_bound": below,
        "passed": passed,
        "mediations": size,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
    }
    results["machine"] = _machine()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return passed


def peak_memory_mb() -> float:
    """Peak resident memory of this process. VmHWM starts afresh at exec, whereas ru_maxrss
    keeps the parent's peak from before the fork, so it would report the parent's memory."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
