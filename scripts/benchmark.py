#!/usr/bin/env python3
"""Benchmark apilint on the pinned corpus against its peers, on this machine.

    python3 scripts/benchmark.py [--corpus DIR] [--rounds 3] [--skip-flake8] [--scale]

Builds the corpus (scripts/corpus/build.sh) if needed and two virtualenvs
(flake8 alone; flake8 + apilint + ruff + bandit), then runs, alternating each
round so machine drift cancels: apilint cold (--no-cache), apilint warm
(cache populated, nothing changed), ruff (S113, BLE001), bandit (-t B113),
flake8 without apilint, and with it cold (--apilint-no-cache) and warm (its cache
populated by an earlier flake8 run, nothing changed). Prints each median, the ratios the targets
are stated in, and each tool's peak memory (from /usr/bin/time -v).

--scale also downloads kubernetes==37.0.2 (1.16M lines) and compares apilint's
cold time per line there with the corpus's: cost should grow linearly.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT / "scripts" / "corpus"
WORK = Path(os.environ.get("APILINT_BENCH_DIR", "/tmp/apilint-bench"))


def sh(*args: str | Path, cwd: Path | None = None) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=cwd, stdout=subprocess.DEVNULL)


def venv(name: str, *packages: str) -> Path:
    path = WORK / name
    if not (path / "bin" / "python").exists():
        sh(sys.executable, "-m", "venv", path)
        sh(path / "bin" / "python", "-m", "pip", "install", "-q", *packages)
    return path / "bin"


def timed(command: list[str], cwd: Path) -> tuple[float, int, float]:
    """Wall seconds, peak RSS (KB) and CPU seconds (user + system, all processes) of one run."""
    timer = shutil.which("time") or "/usr/bin/time"
    started = time.perf_counter()
    proc = subprocess.run([timer, "-v", *command], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          text=True)
    elapsed = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", proc.stderr))
    return elapsed, int(match.group(1)) if match else 0, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=WORK / "corpus")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-flake8", action="store_true", help="flake8 runs take minutes each")
    parser.add_argument("--scale", action="store_true", help="also time kubernetes==37.0.2 (downloads it)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    if not args.corpus.exists():
        sh("bash", SHARED / "build.sh", SHARED / "dev.txt", args.corpus)
    corpus = args.corpus.resolve()
    tools = venv("tools", str(ROOT), "ruff", "bandit")
    # The checkout may have changed since the virtualenv was made: measure this code.
    sh(tools / "python", "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall", str(ROOT))
    plain = venv("flake8-plain", "flake8")
    lines = sum(p.read_bytes().count(b"\n") for p in corpus.rglob("*.py") if ".downloads" not in p.parts)

    apilint = str(tools / "apilint")
    commands: dict[str, list[str]] = {
        "apilint cold": [apilint, "--no-cache", "--exit-zero", "-q", "."],
        "apilint warm": [apilint, "--exit-zero", "-q", "."],
        "ruff (S113, BLE001)": [str(tools / "ruff"), "check", "--isolated", "--no-cache", "--exit-zero",
                                "--select", "S113,BLE001", "-q", "."],
        "bandit -t B113": [str(tools / "bandit"), "-q", "-r", "-t", "B113", "--exit-zero", "."],
    }
    if not args.skip_flake8:
        commands["flake8 (default checks)"] = [str(plain / "flake8"), "--exit-zero", "-q", "."]
        # Cold: no cache at all (each flake8 worker builds the project index it needs); warm: the
        # findings kept by an earlier flake8 run, nothing changed (what pre-commit and editors see).
        commands["flake8 + apilint, cold"] = [str(tools / "flake8"), "--apilint-no-cache", "--exit-zero", "-q", "."]
        commands["flake8 + apilint, warm"] = [str(tools / "flake8"), "--exit-zero", "-q", "."]
        sh(tools / "python", "-m", "pip", "install", "-q", "flake8")
        subprocess.run(commands["flake8 + apilint, warm"], cwd=corpus, stdout=subprocess.DEVNULL)  # its cache
    subprocess.run(commands["apilint warm"], cwd=corpus, stdout=subprocess.DEVNULL)  # populate the cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    memory: dict[str, int] = {name: 0 for name in commands}
    for round_number in range(args.rounds):
        for name, command in commands.items():
            elapsed, peak, seconds = timed(command, corpus)
            times[name].append(elapsed)
            cpu[name].append(seconds)
            memory[name] = max(memory[name], peak)
        print(f"round {round_number + 1}/{args.rounds} done", file=sys.stderr)
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"corpus: {corpus} ({lines:,} lines), {os.cpu_count()} cores, {args.rounds} rounds")
    for name in commands:
        print(f"  {name:26} median {median[name]:7.2f} s   (min {min(times[name]):6.2f} s, "
              f"CPU {statistics.median(cpu[name]):6.2f} s)   peak {memory[name] / 1024:6.0f} MB")
    ruff = median["ruff (S113, BLE001)"]
    print("ratios:")
    print(f"  apilint cold / ruff          {median['apilint cold'] / ruff:6.1f}x   (target <= 10x, issue 15)")
    print(f"  apilint cold / bandit        {median['apilint cold'] / median['bandit -t B113']:6.2f}   (target <= 0.33)")
    print(f"  apilint warm / ruff          {median['apilint warm'] / ruff:6.2f}x   (target <= 1x, issue 15)")
    if not args.skip_flake8:
        plain = "flake8 (default checks)"
        for name in ("flake8 + apilint, cold", "flake8 + apilint, warm"):
            extra = median[name] / median[plain] - 1
            cpu_extra = statistics.median(cpu[name]) / statistics.median(cpu[plain]) - 1
            # The plugin's share is near this machine's run-to-run noise (±15%): pairs and fastest runs too.
            paired = statistics.median(w / p - 1 for w, p in zip(times[name], times[plain]))
            best = min(times[name]) / min(times[plain]) - 1
            print(f"  {name[9:]:28} vs flake8 {extra * 100:+6.1f}% wall, CPU {cpu_extra * 100:+6.1f}%   "
                  f"(target <= +10% CPU, issue 15; same-round pairs {paired * 100:+.1f}%, "
                  f"fastest runs {best * 100:+.1f}%)")
    peak = max(memory["apilint cold"], memory["apilint warm"], memory.get("flake8 + apilint, cold", 0),
               memory.get("flake8 + apilint, warm", 0))
    print(f"  apilint peak memory          {peak / 1024:6.0f} MB   (target <= 300 MB, issue 15)")
    per_line = median["apilint cold"] / lines
    print(f"  time per 1k lines, cold      {per_line * 1000 * 1000:6.1f} ms")
    if args.scale:
        big, big_lines = kubernetes()
        big_times = [timed([apilint, "--no-cache", "--exit-zero", "-q", "."], big) for _ in range(args.rounds)]
        big_median = statistics.median(t for t, _, _ in big_times)
        big_peak = max(m for _, m, _ in big_times)
        print(f"kubernetes==37.0.2 ({big_lines:,} lines): apilint cold median {big_median:.2f} s, "
              f"peak {big_peak / 1024:.0f} MB")
        print(f"  time per line vs corpus      {big_median / big_lines / per_line:6.2f}x   (target <= 1.5x)")
    return 0


def kubernetes() -> tuple[Path, int]:
    """The kubernetes client's sources (its wheel, unpacked) and their line count."""
    target = WORK / "kubernetes-37.0.2"
    if not target.exists():
        wheels = WORK / "wheels"
        sh(sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:", "-d", wheels,
           "kubernetes==37.0.2")
        wheel = next(wheels.glob("kubernetes-37.0.2-*.whl"))
        shutil.unpack_archive(str(wheel), str(target), format="zip")
    lines = sum(p.read_bytes().count(b"\n") for p in target.rglob("*.py"))
    return target, lines


if __name__ == "__main__":
    sys.exit(main())
