"""Load a URL with `wrk` (Debian package) and read its throughput and latency percentiles."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass

WRK_ARGS = ["-t2", "-c16"]
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


@dataclass
class Load:
    requests_per_s: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk(log=print) -> str | None:
    """The path of `wrk`, installing the Debian package first when missing and possible."""
    found = shutil.which("wrk")
    if found or not shutil.which("apt-get") or os.geteuid() != 0:
        return found
    log("wrk is missing: apt-get install -y wrk ...")
    for command in (
        ["apt-get", "install", "-y", "wrk"],
        ["apt-get", "update"],
        ["apt-get", "install", "-y", "wrk"],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
        if result.returncode == 0 and shutil.which("wrk"):
            return shutil.which("wrk")
    return None


def wrk_version(wrk: str | None) -> str:
    if not wrk:
        return "missing"
    output = subprocess.run([wrk, "-v"], capture_output=True, text=True).stdout
    return output.split("[")[0].replace("wrk", "").strip() or "unknown"


def run_wrk(wrk: str, url: str, seconds: int, headers: dict[str, str] | None = None) -> Load:
    command = [wrk, *WRK_ARGS, f"-d{seconds}s", "--timeout", "30s", "--latency"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, timeout=seconds + 60, check=True
    )
    return parse(result.stdout)


def parse(output: str) -> Load:
    def latency(percent: str) -> float:
        match = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
        if not match:
            raise ValueError(f"no {percent}% latency in wrk output:\n{output}")
        return float(match[1]) * _UNITS[match[2]]

    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.M)
    total = re.search(r"^\s+(\d+) requests in", output, re.M)
    if not rate or not total:
        raise ValueError(f"unexpected wrk output:\n{output}")
    errors = 0
    for match in re.finditer(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)$", output, re.M):
        if match[1]:
            errors += int(match[1])
        else:
            errors += sum(int(n) for n in re.findall(r"\d+", match[2]))
    return Load(float(rate[1]), latency("50"), latency("99"), int(total[1]), errors)
