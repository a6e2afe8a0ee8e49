#!/usr/bin/env bash
# System packages the local stack needs (Debian/Ubuntu). Fast no-op when all are present;
# otherwise installs only the missing ones with apt-get (as root, or through sudo).
#
# Each line: "<probe> <apt package>"; the probe is a command on PATH or an absolute path/glob.
# Add lines here for other tools (espeak-ng, chromium, ...).
set -euo pipefail

NEEDS=(
  "java                         openjdk-17-jre-headless"
  "mvn                          maven"
  "/usr/lib/postgresql/*/bin/initdb postgresql"
  "runuser                      util-linux"
  "espeak-ng                    espeak-ng"
  "sox                          sox"
  "chromium                     chromium"
  "/usr/share/pocketsphinx/test/data/librivox pocketsphinx-testdata"
)

missing=()
for line in "${NEEDS[@]}"; do
  read -r probe pkg <<<"$line"
  if [[ "$probe" == /* ]]; then
    # shellcheck disable=SC2086  # the glob must expand
    compgen -G "$probe" >/dev/null && continue
  else
    command -v "$probe" >/dev/null 2>&1 && continue
  fi
  missing+=("$pkg")
done

# Kafka 4 needs Java 17 or newer: an older default java does not count.
if command -v java >/dev/null 2>&1; then
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)
  if [[ -n "$major" && "$major" -lt 17 ]]; then
    missing+=("openjdk-17-jre-headless")
  fi
fi

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "sysdeps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "sysdeps: need root to install: apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
