#!/usr/bin/env python3
"""The experience at the prompt, measured for shoal, the DuckDB CLI and datafusion-cli.

Each CLI runs on a real pseudo-terminal where the measurement needs one (start-up, Ctrl-C,
rendering a big result), with 2 worker threads, and every number is the median of --runs runs:

  start-up          launch to the first prompt
  one-shot          `-c` over small data (TPC-H nation, 25 rows) and over the 20M-row taxi
                    Parquet, wall time and peak RSS
  Ctrl-C            a long query is started, Ctrl-C (\\x03) is sent after --cancel-after s; the time
                    until the prompt is back, the time the next `SELECT 42` takes to answer, and
                    whether the CLI is still alive
  1M rows           `SELECT * ... LIMIT 1000000` at the prompt: until the next prompt

Usage:
  benches/cli/experience.py --data /tmp/bench-data --shoal /tmp/x-shoal-1 \\
      --duckdb $(python3 -c 'import duckdb_cli,os;print(os.path.dirname(duckdb_cli.__file__))')/duckdb \\
      --datafusion /tmp/dfcli/bin/datafusion-cli [--runs 5]

A CLI whose path is not given is left out. Prints a markdown table. Python standard library only.
"""

import argparse
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

ANSI = re.compile(rb"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>]|\r")
ROWS, COLS = 50, 160
TERMINAL_ANSWERS = [
    (b"\x1b]11;?", b"\x1b]11;rgb:0000/0000/0000\x07"),
    (b"\x1b[c", b"\x1b[?1;2c"),
]


class Engine:
    """How to drive one CLI: its command lines, prompt, and the SQL that registers the data."""

    def __init__(self, name, binary, interactive, oneshot, prompt, setup, env=None):
        self.name = name
        self.binary = binary
        self.interactive = interactive  # argv for the shell
        self.oneshot = oneshot  # function(list of statements) -> argv
        self.prompt = re.compile(prompt)
        self.setup = setup  # function(table, path, kind) -> statements
        self.env = env or {}

    def version(self):
        flag = "-version" if self.name == "duckdb" else "--version"
        try:
            out = subprocess.run([self.binary, flag], capture_output=True, text=True, timeout=30)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return "?"


def shoal_engine(binary):
    def setup(table, path, kind):
        pattern = os.path.join(path, "*." + kind) if os.path.isdir(path) else path
        return [f"CREATE VIEW {table} AS SELECT * FROM '{pattern}';"]

    return Engine(
        "shoal",
        binary,
        [binary, "--threads", "2", "--no-rc"],
        lambda stmts: [binary, "--threads", "2", "-c", " ".join(stmts)],
        rb"(^|\n)shoal> $",
        setup,
    )


def duckdb_engine(binary):
    def setup(table, path, kind):
        pattern = os.path.join(path, "*." + kind) if os.path.isdir(path) else path
        return [f"CREATE VIEW {table} AS SELECT * FROM '{pattern}';"]

    return Engine(
        "duckdb",
        binary,
        [binary, "-cmd", "SET threads = 2"],
        lambda stmts: [binary, "-c", " ".join(["SET threads = 2;"] + stmts)],
        rb"(^|\n)(\^C)?(\w+ )?D $",
        setup,
    )


def datafusion_engine(binary):
    def setup(table, path, kind):
        location = path.rstrip("/") + "/" if os.path.isdir(path) else path
        options = " OPTIONS ('format.has_header' 'true')" if kind == "csv" else ""
        return [f"CREATE EXTERNAL TABLE {table} STORED AS {kind.upper()} LOCATION '{location}'{options};"]

    def oneshot(stmts):
        argv = [binary]
        for s in stmts:
            argv += ["-c", s]
        return argv

    return Engine(
        "datafusion-cli",
        binary,
        [binary],
        oneshot,
        rb"(^|\n)> $",
        setup,
        env={"DATAFUSION_EXECUTION_TARGET_PARTITIONS": "2"},
    )


class Terminal:
    """A CLI on a pseudo-terminal: write keys, read until its prompt is back."""

    def __init__(self, engine, env):
        self.engine = engine
        self.out = b""
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: become the CLI
            try:
                os.execvpe(engine.interactive[0], engine.interactive, env)
            finally:
                os._exit(127)
        fcntl.ioctl(self.fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))

    def read_some(self, timeout):
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError:  # the child exited
            raise EOFError(f"{self.engine.name} exited; output so far:\n{self.text()[-2000:]}")
        if not data:
            raise EOFError(f"{self.engine.name} closed its terminal")
        # Answer a terminal's queries like a terminal would: cursor position, background
        # colour (DuckDB asks at start), device attributes.
        for query, answer in TERMINAL_ANSWERS:
            if query in data:
                os.write(self.fd, answer)
        # Cursor position: at the far corner after a move there (how linenoise finds the width).
        for part in data.split(b"\x1b[6n")[:-1]:
            os.write(self.fd, f"\x1b[{ROWS};{COLS}R".encode() if part.endswith(b"999f") else b"\x1b[1;1R")
        self.out += data
        return True

    def text(self, start=0):
        return ANSI.sub(b"", self.out[start:]).decode("utf-8", "replace")

    def wait_prompt(self, since, timeout=600.0):
        """Read until the prompt ends the output written after byte `since`; the time then."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.engine.prompt.search(ANSI.sub(b"", self.out[since:])):
                return time.perf_counter()
            self.read_some(0.005)
        raise TimeoutError(f"{self.engine.name}: no prompt after {timeout} s:\n{self.text(since)[-2000:]}")

    def drain(self, seconds):
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            self.read_some(max(0.0, min(0.01, end - time.perf_counter())))

    def send(self, text):
        mark = len(self.out)
        os.write(self.fd, text.encode())
        return mark

    def run(self, sql, timeout=600.0):
        """Type a statement and Enter; (seconds until the prompt is back, output text)."""
        mark = self.send(sql + "\r")
        start = time.perf_counter()
        end = self.wait_prompt(mark, timeout)
        self.settle()
        return end - start, self.text(mark)

    def settle(self):
        """Take in what a CLI draws just after its prompt (linenoise draws the prompt twice), so
        that it is not taken for the prompt after the next statement."""
        self.drain(0.3)

    def close(self):
        try:
            os.write(self.fd, b"\x04")
            deadline = time.perf_counter() + 5
            while time.perf_counter() < deadline:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    break
                try:
                    self.read_some(0.05)
                except EOFError:
                    pass
            else:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass
        finally:
            try:
                os.close(self.fd)
            except OSError:
                pass


def last_message(raw):
    """The last line a CLI printed before its prompt (progress bar redraws split at `\\r`)."""
    lines = [l.strip() for l in ANSI.sub(b"", raw.replace(b"\r", b"\n")).decode("utf-8", "replace").splitlines()]
    lines = [l for l in lines if l and l != "^C"]
    return lines[-2] if len(lines) >= 2 else "(nothing)"


def median(values):
    return statistics.median(values) if values else float("nan")


def measure_startup(engine, env, runs):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        term = Terminal(engine, env)
        try:
            times.append(term.wait_prompt(0, 60) - start)
        finally:
            term.close()
    return median(times)


def run_oneshot(engine, env, statements):
    """Wall seconds and peak RSS (MiB) of one `-c` run; raises on failure."""
    argv = engine.oneshot(statements)
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{engine.name} failed ({proc.returncode}): {argv}\n{out.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024.0, out.decode("utf-8", "replace")


def measure_oneshot(engine, env, statements, runs):
    walls, rss = [], []
    for _ in range(runs):
        wall, peak, _ = run_oneshot(engine, env, statements)
        walls.append(wall)
        rss.append(peak)
    return median(walls), median(rss)


def measure_cancel(engine, env, setup, query, after, runs):
    """Median (seconds to prompt after Ctrl-C, seconds the next query takes), alive runs, message."""
    to_prompt, next_query, alive, message = [], [], 0, ""
    for _ in range(runs):
        term = Terminal(engine, env)
        try:
            term.wait_prompt(0, 60)
            term.settle()
            for stmt in setup:
                term.run(stmt, 60)
            mark = term.send(query + "\r")
            term.drain(after)
            if engine.prompt.search(ANSI.sub(b"", term.out[mark:])):
                message = f"(query finished within {after} s: nothing to cancel)"
                continue
            cancel_mark = term.send("\x03")
            sent = time.perf_counter()
            back = term.wait_prompt(cancel_mark, 120)
            to_prompt.append(back - sent)
            term.settle()
            message = last_message(term.out[cancel_mark:])
            took, out = term.run("SELECT 6 * 7 AS answer;", 120)
            if "42" in out:
                alive += 1
                next_query.append(took)
        except (EOFError, TimeoutError) as e:
            message = f"failed: {str(e).splitlines()[0]}"
        finally:
            term.close()
    return median(to_prompt), median(next_query), alive, message


def measure_prompt_query(engine, env, setup, query, runs):
    times = []
    term = Terminal(engine, env)
    try:
        term.wait_prompt(0, 60)
        term.settle()
        for stmt in setup:
            term.run(stmt, 60)
        for _ in range(runs):
            took, _ = term.run(query, 600)
            times.append(took)
    finally:
        term.close()
    return median(times)


def fmt_s(x):
    return "—" if x != x else (f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="dir holding taxi-20000000-{parquet,csv}/ and tpch-sf1-parquet/")
    p.add_argument("--shoal")
    p.add_argument("--duckdb")
    p.add_argument("--datafusion")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--cancel-after", default="1.5",
                   help="seconds into the long query to send Ctrl-C; comma-separated for several")
    p.add_argument("--only", help="comma-separated measurements: startup,oneshot,cancel,render")
    args = p.parse_args()

    engines = []
    for maker, path in [(shoal_engine, args.shoal), (duckdb_engine, args.duckdb), (datafusion_engine, args.datafusion)]:
        if path:
            if not shutil.which(path):
                sys.exit(f"not an executable: {path}")
            engines.append(maker(path))
    if not engines:
        sys.exit("give at least one of --shoal, --duckdb, --datafusion")
    only = set(args.only.split(",")) if args.only else {"startup", "oneshot", "cancel", "render"}

    parquet = os.path.join(args.data, "taxi-20000000-parquet")
    csv = os.path.join(args.data, "taxi-20000000-csv")
    nation = os.path.join(args.data, "tpch-sf1-parquet", "nation.parquet")
    home = tempfile.mkdtemp(prefix="cli-experience-")  # no rc files, no history of the user
    env = dict(os.environ, HOME=home, TERM="xterm-256color", PAGER="cat", LINES=str(ROWS), COLUMNS=str(COLS))
    env["SHOAL_HISTORY"] = os.path.join(home, "history")

    by_vendor = 'SELECT "VendorID", count(*) AS n FROM trips GROUP BY 1 ORDER BY 1;'
    csv_scan = 'SELECT "VendorID", count(*) AS n, sum(total_amount) AS total FROM trips GROUP BY 1 ORDER BY 1;'
    wide_group = ('SELECT tpep_pickup_datetime, count(*) AS n, sum(total_amount) AS total FROM trips '
                  'GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3;')
    rows = []  # (measurement, {engine: cell})

    def add(label, fn):
        cells = {}
        for e in engines:
            e_env = dict(env, **e.env)
            try:
                cells[e.name] = fn(e, e_env)
            except (RuntimeError, EOFError, TimeoutError, OSError) as err:
                cells[e.name] = "failed"
                print(f"{e.name}: {label}: {err}", file=sys.stderr)
            print(f"  {label} / {e.name}: {cells[e.name]}", file=sys.stderr)
        rows.append((label, cells))

    if "startup" in only:
        add("start-up to first prompt", lambda e, v: fmt_s(measure_startup(e, v, args.runs)))
    if "oneshot" in only:
        small = lambda e: e.setup("nation", nation, "parquet") + [
            "SELECT n_regionkey, count(*) AS n FROM nation GROUP BY 1 ORDER BY 1;"]
        big = lambda e: e.setup("trips", parquet, "parquet") + [by_vendor]
        big_csv = lambda e: e.setup("trips", csv, "csv") + [csv_scan]
        for label, stmts in [("`-c` count by region, nation.parquet (25 rows)", small),
                             ("`-c` count by VendorID, taxi Parquet (20M rows)", big),
                             ("`-c` count, sum by VendorID, taxi CSV (20M rows, 2 GB)", big_csv)]:
            results = {}

            def one(e, v, stmts=stmts, label=label):
                wall, rss = measure_oneshot(e, v, stmts(e), args.runs)
                results[e.name] = rss
                return fmt_s(wall)

            add(label, one)
            rows.append(("  peak RSS of the above", {k: f"{v:.0f} MiB" for k, v in results.items()}))
    if "cancel" in only:
        for label, path, kind, query in [("Parquet high-cardinality group by", parquet, "parquet", wide_group),
                                         ("CSV scan + aggregate", csv, "csv", csv_scan)]:
            def full(e, v, path=path, kind=kind, query=query):
                wall, _, _ = run_oneshot(e, v, e.setup("trips", path, kind) + [query])
                return fmt_s(wall)

            add(f"{label}: whole query (`-c`, once)", full)
            for after in [float(a) for a in args.cancel_after.split(",")]:
                notes = {}

                def cancel(e, v, path=path, kind=kind, query=query, after=after, notes=notes):
                    prompt, nxt, alive, message = measure_cancel(
                        e, v, e.setup("trips", path, kind), query, after, args.runs)
                    notes[e.name] = message
                    return f"{fmt_s(prompt)} (next query {fmt_s(nxt)}, alive {alive}/{args.runs})"

                add(f"{label}: Ctrl-C after {after} s → prompt", cancel)
                rows.append(("  last line before the prompt", {k: f"`{v}`" for k, v in notes.items()}))
    if "render" in only:
        add("1M-row result at the prompt (`SELECT * … LIMIT 1000000`)",
            lambda e, v: fmt_s(measure_prompt_query(
                e, v, e.setup("trips", parquet, "parquet"), "SELECT * FROM trips LIMIT 1000000;", args.runs)))

    cpus = os.cpu_count()
    print(f"Machine: {cpus} cores, {os.uname().sysname} {os.uname().release}; 2 threads per engine; "
          f"median of {args.runs} runs; terminal {COLS}x{ROWS}.\n")
    print("| measurement | " + " | ".join(f"{e.name} ({e.version()})" for e in engines) + " |")
    print("|---|" + "---|" * len(engines))
    for label, cells in rows:
        print(f"| {label} | " + " | ".join(str(cells.get(e.name, "")) for e in engines) + " |")
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
