# Sourced by scripts/serve and scripts/test: a virtualenv with the project installed.
# Re-installs only when pyproject.toml changed since the last install.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "Newswire needs Python 3.11 or newer; set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
EXTRAS="${1:-}"
STAMP=".venv/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
  touch "$STAMP"
fi

# Debian packages the wire uses when present: Apertium (offline machine translation) and its pairs.
# Installed where apt is available and we are root; the service runs without them otherwise.
APERTIUM_PACKAGES="apertium apertium-eng-spa apertium-es-pt apertium-fr-es apertium-ind-zlm"
# WeasyPrint (the reports' PDF) draws text with Pango: required wherever the wire serves or is tested.
PDF_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
install_debian() {  # install_debian REQUIRED? PACKAGE...
  local required=$1; shift
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
  elif [ "$required" = required ]; then
    echo "Missing Debian packages: ${missing[*]}; install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  else
    echo "Note: ${missing[*]} not installed (needs root and apt); the wire runs without them." >&2
  fi
}
