#!/bin/sh
# Installs the Debian 12 packages trajscope needs to build and test, when
# any is missing: with apt-get as root, through sudo otherwise, or stops
# with the exact command to run.
set -eu
PKGS="build-essential pkg-config libhdf5-dev libgsl-dev libncurses-dev libcmocka-dev
libjansson-dev libinih-dev protobuf-c-compiler libprotobuf-c-dev libdeflate-dev tmux python3-h5py hdf5-tools"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
echo "trajscope: installing missing Debian packages:$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "trajscope: please run as root:  apt-get update && apt-get install -y$missing" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
