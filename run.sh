#!/usr/bin/env bash
# Sld.Bench's entry points on a fresh Debian 12 machine that has the .NET SDK:
#   ./run.sh demo    install what is missing, build, and run the main job
#   ./run.sh test    install what is missing, build, and run the whole test suite
#   ./run.sh bench   run the benchmarks in bench/ against their PyTorch references
#   ./run.sh setup   only install the system packages and build
#   ./run.sh packages GROUP...   print the apt packages of groups in apt-packages.txt (runtime, test)
# Packages come from apt (as root, or through sudo); nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")"

# The system packages, by group (runtime, test), are listed in apt-packages.txt, which the
# Dockerfile installs from too: `./run.sh packages runtime` prints the runtime group's names.
PACKAGE_LIST=apt-packages.txt

# Prints the package names of the given groups, one a line, in the list's order.
packages() {
  (($# > 0)) || { echo "usage: ./run.sh packages GROUP... (groups: $(awk '!/^#/ && NF {print $1}' "$PACKAGE_LIST" | uniq | xargs))" >&2; exit 2; }
  local group
  for group in "$@"; do
    grep -Eq "^$group[[:space:]]" "$PACKAGE_LIST" || { echo "$PACKAGE_LIST has no group '$group'" >&2; exit 2; }
  done
  awk -v groups=" $* " '{ sub(/#.*/, "") } NF > 1 && index(groups, " " $1 " ") { for (i = 2; i <= NF; i++) print $i }' "$PACKAGE_LIST"
}

log() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# Installs the packages of the given groups that are missing.
install_packages() {
  local missing=() p wanted
  wanted=$(packages "$@")
  for p in $wanted; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then return; fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  log "installing ${missing[*]}"
  $sudo apt-get update -qq
  # Only what the list names and its dependencies: recommended packages would add gigabytes and start services.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {
  command -v dotnet >/dev/null || { echo "the .NET SDK (10) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
  log "building (Release)"
  dotnet build Sld.Bench.sln -c Release -nologo -v quiet -clp:ErrorsOnly
}

run_tests() {
  log "running the test suite"
  # One test project at a time (-m:1): the multi-process tests (workers, compose services, Slurm) time their
  # signals and need the 2 cores more than the projects gain from overlapping.
  dotnet test Sld.Bench.sln -c Release --no-build -nologo -v quiet -m:1
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
  setup) install_packages runtime; build ;;
  test) install_packages runtime test; build; run_tests ;;
  bench) shift; install_packages runtime test; build; run_bench "$@" ;;
  demo) install_packages runtime; build; run_demo ;;
  packages) shift; packages "$@" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
