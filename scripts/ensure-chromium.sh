#!/usr/bin/env bash
# Before the tests (npm's pretest): the console's browser tests drive Debian's Chromium through
# playwright-core, which downloads no browser of its own. A new Debian machine has none: install the
# package. Elsewhere, say what the tests need (CHROMIUM_PATH names another Chromium).
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "envsync: the console's browser tests need Chromium at $browser (set CHROMIUM_PATH to another one)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if ! command -v sudo >/dev/null 2>&1; then
    echo "envsync: the console's browser tests need Chromium: apt-get install -y --no-install-recommends chromium (as root)" >&2
    exit 0
  fi
  sudo="sudo"
fi
echo "envsync: installing Debian's chromium for the console's browser tests" >&2
$sudo apt-get update -qq
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
