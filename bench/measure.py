"""What the benchmark measures besides AWS calls: CPU time of processes, and the machine it ran on."""

import os
import platform
import resource
import subprocess
from importlib.metadata import version
from pathlib import Path

from bench import orgformation


def process_cpu(pid):
    """CPU seconds (user + system) a running process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def source_commit():
    """The commit the benchmark ran, with ``+changes`` when tracked files differ from it; None outside git."""
    root = Path(__file__).resolve().parents[1]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                                check=True).stdout.strip()
        changes = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root,
                                 capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return commit + ("+changes" if changes else "")


def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                     if line.startswith("MemTotal"))
    return dict(
        cpu=cpu, cores=os.cpu_count(), memory_gb=round(memory_kb / 1024 / 1024, 1), os=platform.platform(),
        python=platform.python_version(), ansible_core=version("ansible-core"), boto3=version("boto3"),
        moto=version("moto"), node=orgformation.node_version(), load_average=list(os.getloadavg()),
        commit=source_commit(),
    )
