#!/usr/bin/env bash
# Release binary size, time from exec to the handshake line (median of 20,
# with mTLS as Terraform starts it), and the idle plugin's peak RSS.
# Baseline in the same script: exec of /bin/true measured the same way.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
bin="${CARGO_TARGET_DIR:-target}/release/terraform-provider-oomnitza"
cert=$(python3 - <<'PY'
import subprocess
print(subprocess.run(["openssl","req","-x509","-newkey","ec","-pkeyopt","ec_paramgen_curve:P-521","-nodes","-keyout","/dev/null","-subj","/CN=localhost","-days","1"],capture_output=True,text=True).stdout)
PY
)
export TF_PLUGIN_MAGIC_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2 PLUGIN_PROTOCOL_VERSIONS=6 PLUGIN_CLIENT_CERT="$cert"
python3 - "$bin" <<'PY'
import subprocess, sys, time, statistics, os
binary = sys.argv[1]
def handshake():
    t = time.perf_counter()
    p = subprocess.Popen([binary], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = p.stdout.readline()
    dt = time.perf_counter() - t
    assert line.startswith(b"1|6|tcp|"), line
    return dt, p
def baseline():
    t = time.perf_counter()
    subprocess.run(["/bin/true"])
    return time.perf_counter() - t
hs, procs = [], []
for _ in range(20):
    dt, p = handshake(); hs.append(dt); procs.append(p)
base = [baseline() for _ in range(20)]
time.sleep(1)
rss = []
for p in procs:
    with open(f"/proc/{p.pid}/status") as f:
        for l in f:
            if l.startswith("VmHWM"):
                rss.append(int(l.split()[1]))
    p.kill(); p.wait()
size = os.path.getsize(binary)
h, b = statistics.median(hs), statistics.median(base)
print(f"release binary size: {size/1e6:.1f} MB ({size} bytes)")
print(f"exec -> handshake line (median of 20): {h*1000:.1f} ms; exec of /bin/true: {b*1000:.1f} ms; ratio {h/b:.1f}x")
print(f"idle plugin peak RSS (VmHWM, median): {statistics.median(rss)/1024:.1f} MiB")
PY
