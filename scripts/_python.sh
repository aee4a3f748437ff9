# Sourced by the scripts: find Python 3.13 and the project's virtual environment.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.13 "$(command -v pyenv >/dev/null 2>&1 && echo "$(pyenv root)/versions/3.13.0/bin/python3.13")" "$HOME/.pyenv/versions/3.13.0/bin/python3.13" /usr/local/bin/python3.13 /usr/bin/python3.13; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  echo "Python 3.13 not found: install it (python3.13 on PATH) or set PYTHON=/path/to/python3.13" >&2
  return 1
}

# The ends of the Home Assistant range that scripts/test and scripts/lint check:
# TIME_CLOCK_HA_ENDS=both (default), oldest (the host's .venv) or newest (the root of
# scripts/newest-ha-root).
ends_selected() {
  case "${TIME_CLOCK_HA_ENDS:=both}" in
    both | oldest | newest) ;;
    *)
      echo "TIME_CLOCK_HA_ENDS must be both, oldest or newest, not $TIME_CLOCK_HA_ENDS" >&2
      exit 2
      ;;
  esac
}

run_end() {
  [ "$TIME_CLOCK_HA_ENDS" = both ] || [ "$TIME_CLOCK_HA_ENDS" = "$1" ]
}

announce() {
  # announce END PYTHON-COMMAND...: print which Python and Home Assistant run next.
  local end="$1"
  shift
  echo "=== $end end: $("$@" -c 'import sys; from homeassistant.const import __version__; print(f"Home Assistant {__version__} on Python {sys.version.split()[0]}")') ==="
}
