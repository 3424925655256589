#!/usr/bin/env bash
# gpu-check.sh — run Kiln's OpenCL backend on this machine's GPU and print the figures.
#
#   deploy/gpu-check.sh            first GPU (Kiln's default choice: GPU, else accelerator, else CPU)
#   deploy/gpu-check.sh NVIDIA     a device by index, type (gpu|cpu|accelerator) or name substring
#                                  (kiln.opencl.device; see docs/ARCHITECTURE.md, OpenCL backend)
#
# Steps: (1) list the OpenCL ICDs and devices; (2) build the OpenCL backend and what it needs;
# (3) run its tests (conformance kit, kernels against host references, CPU agreement, QUBO,
# failure paths) on the chosen device; (4) run ./kiln bench spmv, cg and qubo in quick mode, and
# relax's OpenCL SOR/SSOR case (--opencl-only), and print their backend=opencl rows beside the
# Vector API / CPU ones. Needs a JDK 21+, Maven, an
# OpenCL ICD loader (Debian: ocl-icd-opencl-dev) and the GPU vendor's ICD. Logs and JSON go to
# target/gpu-check/ and target/bench/. Exit status: non-zero if the build or a test fails.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$HERE"
DEVICE="${1:-}"
OUT="$HERE/target/gpu-check"
mkdir -p "$OUT"
say() { printf '\n== %s\n' "$*"; }

say "OpenCL drivers (ICDs)"
ls /etc/OpenCL/vendors/*.icd 2>/dev/null || echo "no ICD files in /etc/OpenCL/vendors (install the GPU vendor's OpenCL driver)"
if command -v clinfo >/dev/null; then
  clinfo -l 2>/dev/null || true
else
  echo "(clinfo not installed: apt-get install clinfo lists platforms and devices)"
fi
if ! ls /etc/OpenCL/vendors/*.icd 2>/dev/null | grep -vqi pocl; then
  echo "WARNING: only PoCL (or no ICD) is present: the figures below are for the CPU, not a GPU"
fi

# The launcher's JDK choice, so Maven and the benches use the same JDK.
if [[ -z "${JAVA_HOME:-}" ]]; then
  for c in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
    if [[ -x "${c%/}/bin/javac" ]]; then export JAVA_HOME="${c%/}"; break; fi
  done
fi
echo "JAVA_HOME=${JAVA_HOME:-unset}"

say "build (backends/opencl and what it needs, then the deploy jar)"
mvn -B -q -pl deploy -am install -DskipTests 2>&1 | grep -v '^WARNING' | tee "$OUT/build.log" || true
[[ -f deploy/target/kiln-deploy.jar ]] || { echo "build failed: see $OUT/build.log"; exit 1; }

say "OpenCL tests on the default device (first GPU, else accelerator, else CPU)"
# The tests always take the default choice; DEVICE steers only the benches below (through the
# system property kiln.opencl.device that OpenClBenchRows reads).
set +e
mvn -B -pl backends/opencl surefire:test > "$OUT/tests.log" 2>&1
TESTS=$?
set -e
grep -h "Tests run:" backends/opencl/target/surefire-reports/*.txt 2>/dev/null || true
grep -h "no OpenCL device" "$OUT/tests.log" | head -3 || true
[[ $TESTS -eq 0 ]] && echo "tests: passed" || echo "tests: FAILED (see $OUT/tests.log)"

export KILN_JAVA_OPTS="${KILN_JAVA_OPTS:-}${DEVICE:+ -Dkiln.opencl.device=$DEVICE}"
for b in spmv cg qubo relax; do
  extra=()
  [[ $b == relax ]] && extra=(--opencl-only)   # only the OpenCL SOR/SSOR case, not the ω-bandit experiment
  say "./kiln bench $b --quick ${extra[*]:-}"
  set +e
  ./kiln bench "$b" --quick "${extra[@]}" > "$OUT/bench-$b.out" 2> "$OUT/bench-$b.err"
  rc=$?
  set -e
  grep -h "OpenCL device\|no OpenCL device" "$OUT/bench-$b.err" | head -1 || true
  grep -h "^BENCH" "$OUT/bench-$b.out" | grep -v "format=sell-fp32\|format=csr-fp32" || true
  [[ $rc -eq 0 ]] || echo "bench $b exited with $rc (see $OUT/bench-$b.err)"
done

say "summary: backend=opencl rows (ratio_vs_vector / ratio_vs_cpu = Vector API or CPU time / OpenCL time; > 1: the device is faster)"
grep -h "backend=opencl" "$OUT"/bench-*.out || echo "no backend=opencl rows (no OpenCL device?)"
echo
echo "uptime: $(uptime)"
exit $TESTS
