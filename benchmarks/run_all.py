"""Run every benchmark in this folder (``import_time.py``, then ``bench_*.py``), one after
another, each in its own process, and print their tables. ``make bench`` calls this.

Timings on a shared machine are noisy: every benchmark reports ratios against a reference
measured in the same run, and nothing here fails on a slow figure.
"""
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failed = []
    # Import time first: it starts fresh interpreters and wants the machine as quiet as it gets.
    for script in [HERE / "import_time.py", *sorted(HERE.glob("bench_*.py"))]:
        print(f"\n=== {script.name} ===", flush=True)
        if subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0:
            failed.append(script.name)
    if failed:
        print(f"\nbenchmarks that crashed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
