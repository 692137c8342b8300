"""Time against size: the pages and the exports at 10,000, 100,000 and 1,000,000 retirees.

    make growth                                   # generate what is missing, measure, draw
    .venv/bin/python bench/growth.py --sizes 10000,100000 --runs 5

Each size has its own database (outreach_growth_10k, outreach_growth_100k; the million is the
province's, outreach_province) of the same shape: a branch per 100 retirees, 20 contact logs,
3 vaccine doses and 2 nucleic-acid tests per retiree (perf/city.py, generated when empty). Every
size is measured in a child process with bench/run.py's helpers; the figures go to
var/growth.json and the chart, drawn by hand as SVG (no plotting library), to docs/growth.svg.
The pages should stay flat as the registry grows; the exports grow linearly with their rows.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BASE_DIR = BENCH_DIR.parent
SERVER = "postgres://postgres@127.0.0.1:5432/"
DATABASES = {10_000: "outreach_growth_10k", 100_000: "outreach_growth_100k", 1_000_000: "outreach_province"}
CHART = BASE_DIR / "docs" / "growth.svg"
RESULTS = BASE_DIR / "var" / "growth.json"

# What is drawn: label, the figure's key, and its panel (pages in ms, exports in s).
PAGES = [
    ("registry list, page 1", "list"),
    ("registry list, filtered page 3", "list_filtered"),
    ("secretary's call list", "call_list"),
    ("office call list (everybody)", "office_call_list"),
    ("dashboard", "dashboard"),
]
EXPORTS = [("CSV export", "csv"), ("XLSX export", "xlsx"), ("COPY (floor)", "copy")]


def shape(retirees: int) -> dict:
    """The province's proportions at any size."""
    return {
        "retirees": retirees,
        "branches": max(1, retirees // 100),
        "contacts": 20 * retirees,
        "doses": 3 * retirees,
        "tests": 2 * retirees,
    }


def url_for(retirees: int) -> str:
    name = DATABASES.get(retirees, f"outreach_growth_{retirees}")
    return os.environ.get(f"GROWTH_URL_{retirees}", SERVER + name)


# --- one size, in a child process with DATABASE_URL set ----------------------------------------


def measure(retirees: int, runs: int) -> dict:
    os.environ["DATABASE_URL"] = url_for(retirees)
    sys.path.insert(0, str(BENCH_DIR))
    import run  # sets Django up against this size's database
    from django.core.management import call_command

    from accounts.models import User
    from retirees.models import Retiree

    run.create_database()
    call_command("migrate", interactive=False, verbosity=0)
    generated = None
    if not Retiree.objects.exists():
        arguments = [f"--{key}={value}" for key, value in shape(retirees).items()]
        started = time.perf_counter()
        subprocess.run([run.PYTHON, "manage.py", "generate_city", *arguments], cwd=BASE_DIR, check=True)
        generated = time.perf_counter() - started
    run.settle()
    office = run.client_for(User.objects.get(username="bench_office"))
    secretary = run.client_for(User.objects.get(username="sec0001"))
    urls = {
        "list": (office, "/retirees/"),
        "list_filtered": (office, "/retirees/?category=tuixiu&care_level=partly_dependent&sort=-birth_date&page=3"),
        "call_list": (secretary, "/checkins/"),
        "office_call_list": (office, "/checkins/"),
        "dashboard": (office, "/checkins/dashboard/"),
    }
    figures = {}
    for key, (client, url) in urls.items():
        median, times = run.median_time(lambda client=client, url=url: run.get_ok(client, url), runs)
        figures[key] = {"median": median, "p90": run.percentile(times, 0.9)}
        print(f"  {retirees:>9,} {key:<18} {median * 1000:8.1f} ms", file=sys.stderr, flush=True)
    export_runs = 3 if retirees <= 100_000 else 1
    for key, child in (("copy", ("copy",)), ("csv", ("export", "csv")), ("xlsx", ("export", "xlsx"))):
        results = [run.run_child(*child) for _ in range(export_runs)]
        seconds = [r["seconds"] for r in results]
        figures[key] = {
            "median": statistics.median(seconds),
            "p90": max(seconds),
            "peak_mb": max(r.get("maxrss_mb", 0) for r in results),
        }
        print(f"  {retirees:>9,} {key:<18} {figures[key]['median']:8.2f} s", file=sys.stderr, flush=True)
    return {
        "retirees": Retiree.objects.count(),
        "generated_seconds": generated,
        "load": open("/proc/loadavg").read().split()[:3],
        "figures": figures,
    }


# --- the chart ---------------------------------------------------------------------------------

COLOURS = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400"]


def _log_scale(low: float, high: float, start: float, end: float):
    import math

    span = math.log10(high) - math.log10(low)
    return lambda value: start + (math.log10(value) - math.log10(low)) / span * (end - start)


def _decades(low: float, high: float) -> list[float]:
    import math

    return [10.0**k for k in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)]


def _panel(x0: int, title: str, unit: str, scale: float, series, sizes: list[int], points) -> list[str]:
    """One log-log panel: size on x, time on y, a line per series."""
    width, height, top, left = 400, 300, 50, 80
    values = [points[s][key]["median"] * scale for _, key in series for s in sizes if key in points[s]]
    ticks = _decades(min(values) / 1.5, max(values) * 1.5)
    y = _log_scale(ticks[0], ticks[-1], top + height, top)
    x = _log_scale(sizes[0] / 1.5, sizes[-1] * 1.5, x0 + left, x0 + left + width)
    out = [f'<text x="{x0 + left}" y="30" class="title">{title}</text>']
    out.append(f'<rect x="{x0 + left}" y="{top}" width="{width}" height="{height}" fill="none" stroke="#999"/>')
    for tick in ticks:
        shown = f"{tick:g}"
        out.append(
            f'<line x1="{x0 + left}" x2="{x0 + left + width}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" class="grid"/>'
        )
        out.append(f'<text x="{x0 + left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{shown} {unit}</text>')
    for size in sizes:
        out.append(f'<line x1="{x(size):.1f}" x2="{x(size):.1f}" y1="{top}" y2="{top + height}" class="grid"/>')
        out.append(f'<text x="{x(size):.1f}" y="{top + height + 18}" text-anchor="middle">{size:,}</text>')
    for index, (label, key) in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        line = [(x(s), y(points[s][key]["median"] * scale)) for s in sizes if key in points[s]]
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py in line)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for px, py in line:
            out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{colour}"/>')
        legend_y = top + height + 42 + 18 * index
        out.append(
            f'<line x1="{x0 + left}" x2="{x0 + left + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        last = points[sizes[-1]].get(key, {}).get("median")
        tail = f" ({last * scale:,.0f} {unit} at {sizes[-1]:,})" if last is not None else ""
        out.append(f'<text x="{x0 + left + 32}" y="{legend_y}">{label}{tail}</text>')
    return out


def draw(points: dict[int, dict], path: Path, note: str) -> None:
    sizes = sorted(points)
    figures = {size: points[size]["figures"] for size in sizes}
    rows = max(len(PAGES), len(EXPORTS))
    height = 50 + 300 + 42 + 18 * rows + 40
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="1000" height="{height}" viewBox="0 0 1000 {height}" '
        'font-family="sans-serif" font-size="12">',
        "<style>.title{font-size:15px;font-weight:bold}.grid{stroke:#ddd}.note{fill:#555}</style>",
        '<rect width="100%" height="100%" fill="white"/>',
    ]
    parts += _panel(0, "Pages: median server time (log–log)", "ms", 1000, PAGES, sizes, figures)
    parts += _panel(500, "Exports of every retiree (log–log)", "s", 1, EXPORTS, sizes, figures)
    parts.append(f'<text x="80" y="{height - 12}" class="note">Retirees on x. {note}</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="retirees at each point, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per page (median) after one warm-up")
    parser.add_argument("--redraw", action="store_true", help="draw the chart from var/growth.json only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.runs)))
        return
    points = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    points = {int(size): value for size, value in points.items()}
    if not args.redraw:
        for size in (int(s) for s in args.sizes.split(",")):
            print(f"Measuring {size:,} retirees ({url_for(size)})…", flush=True)
            output = subprocess.run(
                [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs)],
                capture_output=False,
                stdout=subprocess.PIPE,
                text=True,
                check=True,
                cwd=BASE_DIR,
            ).stdout
            points[size] = json.loads(output.strip().splitlines()[-1])
            RESULTS.parent.mkdir(exist_ok=True)
            RESULTS.write_text(json.dumps(points, indent=1))
    loads = ", ".join(f"{points[size]['load'][0]} at {size:,}" for size in sorted(points))
    draw(points, CHART, f"Shared 2-core machine, not quiet: 1-minute load average {loads}.")
    print(f"Wrote {CHART.relative_to(BASE_DIR)} and {RESULTS.relative_to(BASE_DIR)}.")
    for size in sorted(points):
        shown = ", ".join(
            f"{key} {value['median'] * (1000 if key not in ('csv', 'xlsx', 'copy') else 1):,.1f}"
            f"{' ms' if key not in ('csv', 'xlsx', 'copy') else ' s'}"
            for key, value in points[size]["figures"].items()
        )
        print(f"  {size:>9,}: {shown}")


if __name__ == "__main__":
    main()
