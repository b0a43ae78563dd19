#!/usr/bin/env python3
"""The provider measured from outside, as a user feels it, each figure beside
a baseline run in the same script. bench/run.sh builds the release binaries
and calls this; see BENCHMARKS.md for what it wrote last.

  python3 bench/bench.py --repo . [--quick] [--profile] --out BENCHMARKS.md

Figures: exec -> handshake line (baseline: exec of /bin/true); a one-resource
`terraform plan` (baseline: the same plan of one terraform_data); apply /
no-change plan / destroy of N credentials (baseline: N terraform_data), with
the provider's own CPU and peak RSS read from its rusage by a wrapper;
latency-bound runs against a simulator that adds 200 ms to each API call
(baseline: the floor, N x walks x latency / parallelism); the stripped binary's size.
"""

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

COOKIE = ("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
TOKEN = "bench-token"
VERSION = "0.1.0"

# A provider "binary" that runs the real one and records its rusage: the
# provider's own CPU and peak memory, measured by the kernel, never estimated.
WRAPPER = """#!/usr/bin/env python3
import os, resource, sys
real, log = os.environ["BENCH_REAL_PROVIDER"], os.environ["BENCH_RUSAGE_LOG"]
pid = os.fork()
if pid == 0:
    os.execv(real, [real] + sys.argv[1:])
_, status, ru = os.wait4(pid, 0)
me = resource.getrusage(resource.RUSAGE_SELF)
with open(log, "a") as f:
    f.write(f"{ru.ru_utime + ru.ru_stime} {ru.ru_maxrss} {me.ru_utime + me.ru_stime}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def credentials(n, prefix):
    """Configuration of n basic credentials named prefix-0, prefix-1, ..."""
    return (f'resource "oomnitza_jira_credential" "c" {{\n  count = {n}\n  name = "{prefix}-${{count.index}}"\n'
            '  basic {\n    email = "a@example.com"\n    api_token = "t"\n  }\n}\n')


def data(n, prefix):
    """The baseline: n terraform_data, Terraform's built-in resource. Its
    working directory declares the oomnitza provider as the credentials' one
    does (workdir's default), so Terraform starts it for its schema in both,
    but no resource of the baseline calls it."""
    return f'resource "terraform_data" "d" {{\n  count = {n}\n  input = "{prefix}-${{count.index}}"\n}}\n'


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, **kw)


class Bench:
    def __init__(self, repo, quick, terraform, bin_dir):
        self.repo = repo
        self.quick = quick
        self.tf = terraform
        self.tmp = tempfile.mkdtemp(prefix="oomnitza-bench-")
        self.bin_dir = bin_dir
        self.bin = os.path.join(bin_dir, "terraform-provider-oomnitza")
        self.sim_bin = os.path.join(bin_dir, "oomnitza-sim")
        self.rows = []
        self.commands = []
        self.sim = None
        self.plain_rc = self.mirror("plain", binary=self.bin)
        self.wrapped_rc = self.mirror("wrapped", script=WRAPPER)
        self.rusage_log = os.path.join(self.tmp, "rusage.log")

    def mirror(self, name, binary=None, script=None):
        """A filesystem mirror whose provider is `binary`, or a `script` in its place."""
        root = os.path.join(self.tmp, "mirror-" + name)
        d = os.path.join(root, "registry.terraform.io/oomnitza/oomnitza", VERSION, "linux_amd64")
        os.makedirs(d)
        dest = os.path.join(d, "terraform-provider-oomnitza_v" + VERSION)
        if binary:
            shutil.copy(binary, dest)
        else:
            with open(dest, "w") as f:
                f.write(script)
            os.chmod(dest, 0o755)
        rc = os.path.join(self.tmp, name + ".tfrc")
        with open(rc, "w") as f:
            f.write('provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' % root)
        return rc

    # ---- the simulator ----
    def start_sim(self):
        self.stop_sim()
        self.sim = subprocess.Popen(
            [self.sim_bin, "--listen", "127.0.0.1:0", "--token", TOKEN, "--quiet"],
            stdout=subprocess.PIPE, text=True)
        self.url = self.sim.stdout.readline().strip().removeprefix("listening on ")

    def stop_sim(self):
        if self.sim:
            self.sim.kill()
            self.sim.wait()
            self.sim = None

    def sim_call(self, method, path, body=None):
        req = urllib.request.Request(self.url + path, method=method, headers={"Authorization2": TOKEN, "Content-Type": "application/json"},
                                     data=json.dumps(body).encode() if body is not None else None)
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read() or b"null")

    def api_requests(self):
        return self.sim_call("GET", "/_sim/stats")["requests"]

    # ---- terraform ----
    def workdir(self, name, config, wrapped=False, rc=None, provider=True):
        """A working directory; with provider=False it declares no provider
        at all, so that Terraform runs it alone (the pure baseline)."""
        d = os.path.join(self.tmp, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "main.tf"), "w") as f:
            declared = 'terraform {\n  required_providers {\n    oomnitza = { source = "oomnitza/oomnitza" }\n  }\n}\n'
            f.write((declared if provider else "") + config)
        self.terraform(d, ["init", "-input=false"], wrapped, rc=rc)
        return d

    def env(self, rc):
        e = dict(os.environ)
        e.update({"TF_CLI_CONFIG_FILE": rc, "TF_IN_AUTOMATION": "1",
                  "CHECKPOINT_DISABLE": "1", "OOMNITZA_URL": self.url, "OOMNITZA_API_TOKEN": TOKEN,
                  "BENCH_REAL_PROVIDER": self.bin, "BENCH_RUSAGE_LOG": self.rusage_log})
        for k in ("TF_LOG", "TF_LOG_PROVIDER"):
            e.pop(k, None)
        return e

    def terraform(self, d, args, wrapped=False, rc=None):
        """Runs one terraform command; answers (wall seconds, CPU seconds of
        terraform and every process it waited for)."""
        rc = rc or (self.wrapped_rc if wrapped else self.plain_rc)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run([self.tf] + args, cwd=d, env=self.env(rc), capture_output=True, text=True)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode not in (0, 2):
            raise RuntimeError(f"terraform {' '.join(args)} in {d} failed:\n{p.stdout}\n{p.stderr}")
        cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
        return wall, cpu

    def provider_rusage(self):
        """(provider CPU s, peak RSS KiB, wrapper CPU s) since the last call."""
        if not os.path.exists(self.rusage_log):
            return 0.0, 0, 0.0
        cpu = rss = own = 0
        with open(self.rusage_log) as f:
            for line in f:
                c, r, w = line.split()
                cpu += float(c)
                rss = max(rss, int(r))
                own += float(w)
        os.remove(self.rusage_log)
        return cpu, rss, own

    def row(self, figure, value, baseline, ratio, target, met, command):
        self.rows.append((figure, value, baseline, ratio, target, met))
        if command and command not in self.commands:
            self.commands.append(command)

    # ---- figures ----
    def handshake(self):
        """Exec to the handshake line, paired run by run with the exec of
        /bin/true to its exit, both spawned and read the same way, in
        alternating order: the ratio of each pair, whose median does not
        move with the machine's speed the way two separate medians do."""
        cert = sh(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-521", "-nodes",
                   "-keyout", "/dev/null", "-subj", "/CN=localhost", "-days", "1"]).stdout
        env = dict(os.environ, PLUGIN_PROTOCOL_VERSIONS="6", PLUGIN_CLIENT_CERT=cert)
        env[COOKIE[0]] = COOKIE[1]

        def first_line(cmd):
            t = time.perf_counter()
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
            line = p.stdout.readline()  # the handshake, or EOF at /bin/true's exit
            took = time.perf_counter() - t
            p.kill()
            p.wait()
            return took, line

        runs = 21 if self.quick else 101
        hs, base, ratios = [], [], []
        for i in range(runs):
            pair = {}
            for which in (("provider", "true") if i % 2 else ("true", "provider")):
                took, line = first_line([self.bin] if which == "provider" else ["/bin/true"])
                if which == "provider":
                    assert line.startswith(b"1|6|tcp|"), line
                pair[which] = took
            hs.append(pair["provider"])
            base.append(pair["true"])
            ratios.append(pair["provider"] / pair["true"])
        h, b, r = statistics.median(hs), statistics.median(base), statistics.median(ratios)
        self.row("exec -> handshake line vs exec -> exit of /bin/true, paired run by run, median of %d pairs (P-521 client certificate, pinned mTLS)" % runs,
                 f"{h * 1000:.2f} ms", f"/bin/true: {b * 1000:.2f} ms", f"{r:.2f}x", "<= 2.0x", r <= 2.0,
                 "python3 bench/bench.py (handshake): spawn the provider with PLUGIN_CLIENT_CERT and read its first line; spawn /bin/true and read to its exit; alternately")

    def one_resource_plan(self):
        """A one-credential plan beside two baselines: one terraform_data with
        no provider declared (Terraform alone), and the same with the oomnitza
        provider declared (Terraform starts it, no API call)."""
        self.start_sim()
        cred = self.workdir("one", 'resource "oomnitza_jira_credential" "one" {\n  name = "one"\n  basic {\n    email = "a@example.com"\n    api_token = "t"\n  }\n}\n')
        data_tf = 'resource "terraform_data" "one" {\n  input = "one"\n}\n'
        pure = self.workdir("one-data-pure", data_tf, provider=False)
        declared = self.workdir("one-data-declared", data_tf)
        for d in (cred, pure, declared):
            self.terraform(d, ["apply", "-auto-approve", "-input=false"])
        runs = 5 if self.quick else 21
        walls = {"cred": [], "pure": [], "declared": []}
        for _ in range(runs):
            for key, d in (("cred", cred), ("pure", pure), ("declared", declared)):
                w, _ = self.terraform(d, ["plan", "-input=false", "-detailed-exitcode"])
                walls[key].append(w)
        c, p, dcl = (statistics.median(walls[k]) for k in ("cred", "pure", "declared"))
        how = "terraform plan -detailed-exitcode (after apply), the three workspaces in turn"
        self.row(f"`terraform plan`, 1 credential vs 1 terraform_data with no provider declared (Terraform alone), median of {runs}",
                 f"{c:.3f} s", f"{p:.3f} s", f"{c / p:.2f}x", "<= 2.5x", c / p <= 2.5, how)
        self.row(f"`terraform plan`, 1 credential vs 1 terraform_data with the oomnitza provider declared (Terraform + provider starts), median of {runs}",
                 f"{c:.3f} s", f"{dcl:.3f} s", f"{c / dcl:.2f}x", "<= 2x", c / dcl <= 2.0, how)
        self.row(f"`terraform plan`, 1 terraform_data: provider declared vs none (the cost of starting the provider), median of {runs}",
                 f"{dcl:.3f} s", f"{p:.3f} s", f"{dcl / p:.2f}x", "—", None, how)

    def many(self, n):
        """Apply / no-change plan / destroy of n credentials and of n terraform_data."""
        self.start_sim()
        cred = self.workdir(f"many-{n}", credentials(n, "bench"), wrapped=True)
        baseline = self.workdir(f"many-data-{n}", data(n, "bench"))
        self.provider_rusage()
        out = {}
        for step, args in [("apply", ["apply", "-auto-approve", "-input=false"]),
                           ("no-change plan", ["plan", "-input=false", "-detailed-exitcode"]),
                           ("destroy", ["destroy", "-auto-approve", "-input=false"])]:
            cw, ccpu = self.terraform(cred, args, wrapped=True)
            pcpu, rss, wrapper_cpu = self.provider_rusage()
            dw, _ = self.terraform(baseline, args)
            total = ccpu - wrapper_cpu
            out[step] = (cw, dw, pcpu, total, rss)
        return out

    def many_rows(self, n, target_share):
        res = self.many(n)
        peak = 0
        for step, (cw, dw, pcpu, total, rss) in res.items():
            share = pcpu / total if total else 0
            peak = max(peak, rss)
            self.row(f"N = {n} {step}: wall, credentials vs terraform_data", f"{cw:.2f} s", f"{dw:.2f} s",
                     f"{cw / dw:.2f}x", "report", None,
                     f"terraform {step.split()[-1]} of count = {n}, then the same of terraform_data")
            self.row(f"N = {n} {step}: provider CPU / whole run's CPU", f"{pcpu:.3f} s", f"{total:.2f} s",
                     f"{share * 100:.1f}%", f"<= {target_share}%", share * 100 <= target_share,
                     "provider rusage from a wrapper (wait4), whole run from RUSAGE_CHILDREN")
        return peak

    def transport_floor(self, n, floor_bin, target_share):
        """Each step's share beside the same step served by a build whose
        Validate, Read, Plan and Apply answer at once with what Terraform sent
        (`--features transport-floor`): no decode, no API call, no journal, no
        work. What that build still costs is tonic, h2, TLS and the runtime
        serving Terraform's calls: the floor under the share target. The two
        providers take turns, each on a configuration of its own."""
        self.start_sim()
        real = self.bin
        dirs = {which: self.workdir(f"floor-{which}-{n}", credentials(n, "floor-" + which), wrapped=True)
                for which in ("real", "floor")}
        runs = 2 if self.quick else 3
        steps = [("apply", ["apply", "-auto-approve", "-input=false"]),
                 ("no-change plan", ["plan", "-input=false", "-detailed-exitcode"]),
                 ("destroy", ["destroy", "-auto-approve", "-input=false"])]
        shares = {(step, which): [] for step, _ in steps for which in dirs}
        try:
            for i in range(runs):
                for which in (("real", "floor") if i % 2 == 0 else ("floor", "real")):
                    self.bin = real if which == "real" else floor_bin  # what the wrapper execs
                    for step, args in steps:
                        self.provider_rusage()
                        _, cpu = self.terraform(dirs[which], args, wrapped=True)
                        pcpu, _, wrapper_cpu = self.provider_rusage()
                        shares[(step, which)].append(pcpu / (cpu - wrapper_cpu))
        finally:
            self.bin = real
        for step, _ in steps:
            fl, rl = statistics.median(shares[(step, "floor")]), statistics.median(shares[(step, "real")])
            self.row(f"N = {n} {step}: provider CPU share of a build that does no work in Validate, Read, Plan and Apply (the transport's floor) vs this provider's, median of {runs}",
                     f"{fl * 100:.1f}%", f"{rl * 100:.1f}%", f"{fl / rl:.2f}x", f"report (share target {target_share}%)", None,
                     f"terraform apply, plan and destroy of count = {n} with the provider and with a --features transport-floor build of it, in turn")

    def latency_bound(self, n, latency_ms=200, parallelism=10):
        """Against the floor: every credential needs one call per Terraform
        walk that touches Oomnitza (apply: its create; plan: its refresh;
        destroy: Terraform's refresh, then its delete), so the floor is
        N x walks x latency / parallelism, whatever calls the provider
        chose to make."""
        self.start_sim()
        d = self.workdir(f"latency-{n}", credentials(n, "lat"))
        # Terraform's own time for the same graph, to take out of the wall.
        baseline = self.workdir(f"latency-data-{n}", data(n, "lat"))
        self.sim_call("POST", "/_sim/faults", {"latency_ms": latency_ms})
        for step, walks, args in [("apply", 1, ["apply", "-auto-approve", "-input=false", f"-parallelism={parallelism}"]),
                                  ("plan", 1, ["plan", "-input=false", f"-parallelism={parallelism}"]),
                                  ("destroy", 2, ["destroy", "-auto-approve", "-input=false", f"-parallelism={parallelism}"])]:
            before = self.api_requests()
            wall, _ = self.terraform(d, args)
            calls = self.api_requests() - before
            own, _ = self.terraform(baseline, args)
            floor = n * walks * latency_ms / 1000 / parallelism
            self.row(f"latency-bound {step}, N = {n}, {latency_ms} ms per API call, parallelism {parallelism}: calls",
                     f"{calls} ({calls / n:.2f} per credential)", f"{n * walks} ({walks} per credential)",
                     f"{calls / (n * walks):.2f}x", "report", None,
                     f"terraform {step} -parallelism={parallelism} against oomnitza-sim with latency_ms = {latency_ms}; its request count")
            self.row(f"latency-bound {step}, N = {n}: wall less Terraform's own (the same {step} of {n} terraform_data) vs the floor, {n} x {walks} x {latency_ms} ms / {parallelism}",
                     f"{wall - own:.2f} s", f"{floor:.2f} s", f"{(wall - own) / floor:.2f}x", "<= 1.1x", (wall - own) / floor <= 1.1,
                     f"the same {step} of count = {n} terraform_data, taken from the wall")

    def fingerprint_cost(self, n):
        """The plan cost of the write-only fingerprint: no-change plans of n
        credentials whose token is write-only, with write_only_fingerprints
        on and off, in turn; the provider's own CPU from its rusage."""
        self.start_sim()
        body = ('resource "oomnitza_jira_credential" "c" {\n  count = %d\n  name = "fp-${count.index}"\n'
                '  basic {\n    email = "a@example.com"\n    api_token_wo = "token-${count.index}"\n'
                '    api_token_wo_version = 1\n  }\n}\n') % n
        dirs = {}
        for on in ("true", "false"):
            dirs[on] = self.workdir(f"fingerprint-{on}", f'provider "oomnitza" {{\n  write_only_fingerprints = {on}\n}}\n' + body, wrapped=True)
            self.terraform(dirs[on], ["apply", "-auto-approve", "-input=false"], wrapped=True)
        self.provider_rusage()
        runs = 3 if self.quick else 9
        cpu, wall = {"true": [], "false": []}, {"true": [], "false": []}
        for _ in range(runs):
            for on in ("true", "false"):
                w, _ = self.terraform(dirs[on], ["plan", "-input=false", "-detailed-exitcode"], wrapped=True)
                pcpu, _, _ = self.provider_rusage()
                cpu[on].append(pcpu)
                wall[on].append(w)
        c_on, c_off = statistics.median(cpu["true"]), statistics.median(cpu["false"])
        w_on, w_off = statistics.median(wall["true"]), statistics.median(wall["false"])
        how = f"terraform plan of count = {n} with api_token_wo, write_only_fingerprints = true then false, in turn"
        self.row(f"no-change plan of {n} write-only credentials: provider CPU, fingerprints on vs off, median of {runs}",
                 f"{c_on:.3f} s", f"{c_off:.3f} s", f"{c_on / c_off:.2f}x", "<= 1.1x", c_on / c_off <= 1.1, how)
        self.row(f"no-change plan of {n} write-only credentials: wall, fingerprints on vs off, median of {runs}",
                 f"{w_on:.3f} s", f"{w_off:.3f} s", f"{w_on / w_off:.2f}x", "<= 1.1x", w_on / w_off <= 1.1, how)

    def binary_size(self):
        size = os.path.getsize(self.bin)
        if os.path.basename(os.path.normpath(self.bin_dir)) != "release":
            self.row(f"binary of {self.bin_dir} (not a release build: no target)", f"{size / 1e6:.2f} MB", "7 MB",
                     f"{size / 7e6:.2f}x", "report", None, "the build the harness was given")
            return
        self.row("stripped release binary", f"{size / 1e6:.2f} MB", "7 MB", f"{size / 7e6:.2f}x", "< 7 MB", size < 7e6,
                 "cargo build --release (strip = true)")

    # ---- profile ----
    def profile(self, n, binary):
        """callgrind over the provider during a no-change plan; the top of it."""
        self.start_sim()
        tops = []
        for label, count in [("1 credential", 1), (f"N = {n}", n)]:
            outdir = os.path.join(self.tmp, f"callgrind-{count}")
            os.makedirs(outdir)
            rc = self.mirror(f"callgrind-{count}", script=f'#!/bin/sh\nexec valgrind --tool=callgrind --callgrind-out-file={outdir}/cg.%p "{binary}" "$@"\n')
            d = self.workdir(f"profile-{count}", credentials(count, "p"), rc=rc)
            self.terraform(d, ["apply", "-auto-approve", "-input=false"], rc=rc)
            for f in os.listdir(outdir):
                os.remove(os.path.join(outdir, f))
            self.terraform(d, ["plan", "-input=false"], rc=rc)
            files = [os.path.join(outdir, f) for f in os.listdir(outdir)]
            biggest = max(files, key=os.path.getsize)
            text = sh(["callgrind_annotate", "--inclusive=no", biggest]).stdout
            lines = [l for l in text.splitlines() if l.strip() and ("file:function" in l or l.strip()[0].isdigit())]
            tops.append((label, "\n".join(lines[:22])))
        return tops


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for l in f:
            if l.startswith("model name"):
                cpu = l.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", default=".")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--bin-dir", help="where the provider and simulator binaries are (default: target/release)")
    ap.add_argument("--floor-bin", help="the provider built with --features transport-floor")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--profile-bin", help="the provider built with symbols, for --profile")
    ap.add_argument("--terraform", default=os.environ.get("TERRAFORM", "terraform"))
    ap.add_argument("--out", default="BENCHMARKS.md")
    a = ap.parse_args()
    bin_dir = os.path.abspath(a.bin_dir or os.path.join(a.repo, "target", "release"))
    b = Bench(os.path.abspath(a.repo), a.quick, a.terraform, bin_dir)
    tf_version = sh([a.terraform, "version"]).stdout.splitlines()[0]
    try:
        b.handshake()
        b.one_resource_plan()
        n_small, n_large = (10, 20) if a.quick else (300, 1000)
        b.many_rows(n_small, 4)
        if a.floor_bin:
            b.transport_floor(n_small, os.path.abspath(a.floor_bin), 4)
        peak = b.many_rows(n_large, 2)
        b.row(f"provider peak RSS at N = {n_large}", f"{peak / 1024:.1f} MiB", "10 MiB", f"{peak / 1024 / 10:.2f}x",
              "< 10 MiB", peak / 1024 < 10, "ru_maxrss of each provider process, the largest")
        b.latency_bound(20 if a.quick else 200)
        b.fingerprint_cost(10 if a.quick else 50)
        b.binary_size()
    finally:
        b.stop_sim()
    write(a, b, tf_version, [])
    if a.profile:
        try:
            tops = b.profile(50 if a.quick else 1000, os.path.abspath(a.profile_bin or b.bin))
        finally:
            b.stop_sim()
        write(a, b, tf_version, tops)
    shutil.rmtree(b.tmp, ignore_errors=True)


def write(a, b, tf_version, tops):
    mode = "quick (small N: proves the harness works, not the figures)" if a.quick else "full"
    out = [
        "# Benchmarks",
        "",
        "Written by `bash bench/run.sh" + (" --quick" if a.quick else "") + ("" if not a.profile else " --profile") +
        f"` on {time.strftime('%Y-%m-%d')}; every figure beside its baseline from the same run.",
        "",
        f"- Machine: {machine()}",
        f"- Terraform: {tf_version} (`{a.terraform}`)",
        f"- Mode: {mode}",
        "",
        "| figure | provider | baseline | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for fig, val, base, ratio, target, met in b.rows:
        out.append(f"| {fig} | {val} | {base} | {ratio} | {target} | {'—' if met is None else ('yes' if met else 'no')} |")
    out += ["", "## How each figure is measured", ""] + [f"- {c}" for c in b.commands]
    for label, top in tops:
        out += ["", f"## Profile: no-change `terraform plan`, {label} (callgrind, provider process, self cost)", "", "```", top, "```"]
    notes = os.path.join(b.repo, "bench", "NOTES.md")
    if os.path.exists(notes):
        out += ["", open(notes).read().strip()]
    with open(a.out, "w") as f:
        f.write("\n".join(out) + "\n")
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    main()
