#!/usr/bin/env bash
# Sld.Bench's entry points on a fresh Debian 12 machine that has the .NET SDK:
#   ./run.sh demo    install what is missing, build, and run the main job
#   ./run.sh test    install what is missing, build, and run the whole test suite
#   ./run.sh bench   run the benchmarks in bench/ against their PyTorch references
#   ./run.sh setup   only install the system packages and build
# Packages come from apt (as root, or through sudo); nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  python3-torch python3-torchaudio python3-sklearn    # reference implementations for parity tests and benchmarks
  postgresql                                          # the results store's PostgreSQL tests start a throw-away cluster
  chromium                                            # the dashboard's browser tests (Playwright drives Debian's Chromium)
  sctk                                                # NIST sclite and sc_stats: the scoring parity tests' reference
  texlive-latex-extra                                 # pdflatex + booktabs: the LaTeX export test compiles its table
  libsndfile1 libsamplerate0                          # audio decoding (WAV/FLAC/OGG) and resampling, through P/Invoke
  espeak-ng                                           # the voices of the built-in synthetic corpus (corpus synth)
  slurm-wlm munge                                     # sweep run --slurm; the Slurm test starts a throw-away cluster
)

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

install_packages() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then return; fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

build() {
  command -v dotnet >/dev/null || { echo "the .NET SDK (10) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
  log "building (Release)"
  dotnet build Sld.Bench.sln -c Release -nologo -v quiet -clp:ErrorsOnly
}

run_tests() {
  log "running the test suite"
  dotnet test Sld.Bench.sln -c Release --no-build -nologo -v quiet
}

# The main job: the demo sweep (2 tokenizers x 3 loss strategies on the built-in corpus, CPU), its leaderboard
# and paper table, then the dashboard on http://127.0.0.1:5000 (Ctrl+C stops it; everything stays in results/).
run_demo() {
  local sldbench=(dotnet harness/Sld.Bench.Cli/bin/Release/net10.0/sldbench.dll)
  log "demo sweep: experiments/demo.yaml into results/demo.db"
  "${sldbench[@]}" sweep run experiments/demo.yaml --db results/demo.db --out results --workers 1 --threads 2 || log "some cells did not finish: see above"
  log "paper table (mean +- std over seeds; LaTeX: --format latex)"
  "${sldbench[@]}" export --db results/demo.db --sweep demo --rows tokenizer --cols loss --metric wer@test --format markdown
  "${sldbench[@]}" export --db results/demo.db --sweep demo --rows tokenizer --cols loss --metric wer@test --format latex --output results/demo-table.tex
  log "dashboard: http://127.0.0.1:5000 (Ctrl+C to stop)"
  "${sldbench[@]}" serve --db results/demo.db --urls http://127.0.0.1:5000
}

run_bench() {
  log "benchmark: one GPT training step, C# (TorchSharp) vs PyTorch eager"
  dotnet run -c Release --no-build --project bench/Sld.Bench.Bench.TrainStep -- "$@"
}

case "${1:-}" in
  setup) install_packages; build ;;
  test) install_packages; build; run_tests ;;
  bench) shift; install_packages; build; run_bench "$@" ;;
  demo) install_packages; build; run_demo ;;
  *) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
